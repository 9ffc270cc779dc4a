/**
 * GET /_matrix/client/v1/rooms/{roomId}/threads (threads_list.yaml): thread roots the user may
 * see, ordered by their newest reply, each with the bundled m.thread aggregation (latest event,
 * count, whether the user took part).
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import { toClientEvent } from "../sync/client-event";
import { formatTopoToken, parsePaginationToken } from "../sync/tokens";
import type { CatchUp } from "./catch-up";
import { authenticate, parseLimit, pathParam, queryString, requireRoomAccess } from "./common";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function registerThreadsRoute(server: HttpServer, deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken">; catchUp: CatchUp }): void {
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

    const rows = await store.threads.threadRoots(roomId, who.userId, { beforePos, limit: limit + 1, participatedOnly: include === "participated" });
    const page = rows.slice(0, limit);
    const events = new Map((await store.events.eventsByIds(page.flatMap((r) => [r.rootId, r.latestId]))).map((e) => [e.eventId, e]));
    const chunk = [];
    for (const r of page) {
      const root = events.get(r.rootId);
      const latest = events.get(r.latestId);
      if (!root || !latest || !access.visibility.canSee(root)) continue;
      const ev = toClientEvent(root, who);
      const unsigned = ev.unsigned as Record<string, unknown>;
      unsigned["m.relations"] = {
        ...(unsigned["m.relations"] as Record<string, unknown> | undefined),
        "m.thread": { latest_event: toClientEvent(latest, who), count: r.count, current_user_participated: r.participated },
      };
      chunk.push(ev);
    }
    const last = page[page.length - 1];
    const res: Record<string, unknown> = { chunk };
    if (rows.length > limit && last) res.next_batch = formatTopoToken({ depth: events.get(last.latestId)?.depth ?? 0, pos: last.latestPos });
    return res;
  });
}
