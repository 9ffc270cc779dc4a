/**
 * GET /_matrix/client/v1/rooms/{roomId}/threads (threads_list.yaml): thread roots the user may
 * see, ordered by their newest reply, each with the bundled m.thread aggregation (latest event,
 * count, whether the user took part). Replies from ignored users do not count; a root sent by
 * one is returned redacted (threads_list.yaml: as a client aggregating locally would see it).
 */
import { MatrixError, redactEvent } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { StoredEvent, SyncStore } from "../storage";
import { clientEventsWithAggregations } from "../sync/aggregations";
import { isIgnored } from "../sync/client-event";
import { type IgnoredUsers } from "../sync/ignored-users";
import { viewerInRoom } from "../sync/membership-at";
import { formatTopoToken, parsePaginationToken } from "../sync/tokens";
import type { CatchUp } from "./catch-up";
import { authenticate, parseLimit, pathParam, queryString, requireRoomAccess } from "./common";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function registerThreadsRoute(
  server: HttpServer,
  deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken">; catchUp: CatchUp; ignored: Pick<IgnoredUsers, "of"> },
): void {
  const { store } = deps;
  server.get("/_matrix/client/v1/rooms/:roomId/threads", async (req) => {
    const who = await authenticate(req, deps.userapi);
    const roomId = pathParam(req.params, "roomId");
    const include = queryString(req.query, "include") ?? "all";
    if (include !== "all" && include !== "participated") throw new MatrixError("M_INVALID_PARAM", "include must be all or participated");
    const limit = parseLimit(queryString(req.query, "limit"), DEFAULT_LIMIT, MAX_LIMIT);
    if (limit === 0) throw new MatrixError("M_INVALID_PARAM", "limit must be greater than zero");
    const rawFrom = queryString(req.query, "from");
    let beforePos = Number.MAX_SAFE_INTEGER;
    if (rawFrom) {
      const t = parsePaginationToken(rawFrom, "from");
      beforePos = t.kind === "topo" ? t.point.pos : t.positions.room + 1;
    }
    const access = await requireRoomAccess(deps, roomId, who.userId);
    const viewer = { ...who, ignored: await deps.ignored.of(who.userId) };
    // Roots and summaries as of everything acknowledged (a redaction just sent applied).
    await deps.catchUp.latest(roomId, who.userId);

    const rows = await store.threads.threadRoots(roomId, who.userId, {
      beforePos,
      limit: limit + 1,
      participatedOnly: include === "participated",
      ...(viewer.ignored.size > 0 ? { ignored: [...viewer.ignored] } : {}),
    });
    const page = rows.slice(0, limit);
    const events = new Map((await store.events.eventsByIds(page.flatMap((r) => [r.rootId, r.latestId]))).map((e) => [e.eventId, e]));
    const roots = page
      .map((r) => events.get(r.rootId))
      .filter((e): e is StoredEvent => e !== undefined && access.visibility.canSee(e))
      .map((e) => (isIgnored(viewer, e) ? redactedForViewer(e) : e));
    // Bundled as everywhere else: the m.thread summary with its latest_event's own aggregations, edits, references.
    const chunk = await clientEventsWithAggregations(store, viewerInRoom(viewer, access.visibility), roots);
    const last = page[page.length - 1];
    const res: Record<string, unknown> = { chunk };
    if (rows.length > limit && last) res.next_batch = formatTopoToken({ depth: events.get(last.latestId)?.depth ?? 0, pos: last.latestPos });
    return res;
  });
}

/** The root as its room version redacts it: what a client hiding an ignored sender's content would show. */
function redactedForViewer(e: StoredEvent): StoredEvent {
  return { ...e, eventJson: redactEvent(e.eventJson, e.roomVersion), unsignedExtra: {} };
}
