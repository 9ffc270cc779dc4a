/**
 * GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]
 * (relations.yaml): the events that relate to a parent the user may see, newest first by
 * default, paged with topological tokens; `recurse` follows relations of relations 3 levels deep.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { StoredEvent, SyncStore, TopoPoint } from "../storage";
import { clientEventsWithAggregations } from "../sync/aggregations";
import { isIgnored } from "../sync/client-event";
import { withIgnored, type IgnoredUsers } from "../sync/ignored-users";
import { formatTopoToken } from "../sync/tokens";
import { loadRoomVisibility } from "../sync/visibility";
import { viewerInRoom } from "../sync/membership-at";
import type { CatchUp } from "./catch-up";
import { authenticate, parseLimit, pathParam, queryString } from "./common";
import { tokenToPoint } from "./messages";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
/** The spec: traverse at least 3 levels; never unbounded. */
const MAX_DEPTH = 3;
const END_OF_TIME: TopoPoint = { depth: Number.MAX_SAFE_INTEGER, pos: Number.MAX_SAFE_INTEGER };
const START_OF_TIME: TopoPoint = { depth: Number.MIN_SAFE_INTEGER, pos: 0 };

/**
 * The events whose children are wanted: the parent and, when recursing, its descendants down to
 * MAX_DEPTH - 1 levels, so the children found are at most MAX_DEPTH levels below the parent.
 */
async function parentsOf(store: SyncStore, roomId: string, parent: string, recurse: boolean): Promise<string[]> {
  const seen = new Set([parent]);
  let level = [parent];
  for (let depth = 1; recurse && depth < MAX_DEPTH && level.length > 0; depth++) {
    level = (await store.events.childrenOf(roomId, level)).map((c) => c.eventId).filter((id) => !seen.has(id));
    for (const id of level) seen.add(id);
  }
  return [...seen];
}

export function registerRelationsRoutes(
  server: HttpServer,
  deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken">; catchUp: CatchUp; ignored: Pick<IgnoredUsers, "of"> },
): void {
  const { store } = deps;
  const handler = async (req: { headers: Record<string, string | string[] | undefined>; query: unknown; params: unknown }) => {
    const who = await authenticate(req, deps.userapi);
    const roomId = pathParam(req.params, "roomId");
    const eventId = pathParam(req.params, "eventId");
    const params = req.params as Record<string, string | undefined>;
    const dir = queryString(req.query, "dir") ?? "b";
    if (dir !== "b" && dir !== "f") throw new MatrixError("M_INVALID_PARAM", "dir must be b or f");
    const limit = parseLimit(queryString(req.query, "limit"), DEFAULT_LIMIT, MAX_LIMIT);
    const rawRecurse = queryString(req.query, "recurse");
    if (rawRecurse !== undefined && rawRecurse !== "true" && rawRecurse !== "false") throw new MatrixError("M_INVALID_PARAM", "recurse must be true or false");
    const rawFrom = queryString(req.query, "from");
    const rawTo = queryString(req.query, "to");
    const from = rawFrom ? await tokenToPoint(store, roomId, rawFrom, "from") : dir === "b" ? END_OF_TIME : START_OF_TIME;
    const to = rawTo ? await tokenToPoint(store, roomId, rawTo, "to") : undefined;

    const viewer = { ...who, ignored: await deps.ignored.of(who.userId) };
    // The parent and its relations as of everything acknowledged: one just sent is found, a
    // redaction just sent applied (a redacted child is no longer a relation).
    await deps.catchUp.latest(roomId, who.userId);
    const [parent] = await store.events.eventsByIds([eventId]);
    const visibility = await loadRoomVisibility(store, roomId, who.userId);
    // A parent the user ignores the sender of is not theirs to see (as /event).
    if (!parent || parent.roomId !== roomId || parent.excluded || !visibility.canSee(parent) || isIgnored(viewer, parent)) {
      throw new MatrixError("M_NOT_FOUND", "Event not found");
    }

    const recurse = rawRecurse === "true";
    // Children from ignored users are left out (in SQL, so pages stay full): "Aggregations".
    const filter = withIgnored(
      {
        relates_to: await parentsOf(store, roomId, eventId, recurse),
        ...(params.relType !== undefined ? { rel_type: params.relType } : {}),
        ...(params.eventType !== undefined ? { event_type: params.eventType } : {}),
      },
      viewer.ignored,
    );
    const rows = await store.events.topoPage(roomId, from, dir, limit + 1, { filter, ...(to ? { to } : {}) });
    const page = rows.slice(0, limit);
    const last: StoredEvent | undefined = page[page.length - 1];
    const res: Record<string, unknown> = { chunk: await clientEventsWithAggregations(store, viewerInRoom(viewer, visibility), page.filter((e) => visibility.canSee(e))) };
    if (rows.length > limit && last) res.next_batch = formatTopoToken(dir === "b" ? { depth: last.depth, pos: last.pos } : { depth: last.depth, pos: last.pos + 1 });
    if (rawFrom) res.prev_batch = rawFrom;
    if (rawRecurse !== undefined) res.recursion_depth = recurse ? MAX_DEPTH : 1;
    return res;
  };
  const base = "/_matrix/client/v1/rooms/:roomId/relations/:eventId";
  server.get(base, handler);
  server.get(`${base}/:relType`, handler);
  server.get(`${base}/:relType/:eventType`, handler);
}
