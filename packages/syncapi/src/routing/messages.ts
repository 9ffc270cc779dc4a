/**
 * GET /rooms/{roomId}/messages (message_pagination.yaml): pages in topological order (depth,
 * then stream position) from a token, either direction, through the history the user may see.
 * `end` is left out only when the page read nothing, or reached the room's creation backwards.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { StoredEvent, SyncStore, TopoPoint } from "../storage";
import { clientEventsWithAggregations } from "../sync/aggregations";
import { toClientEvent } from "../sync/client-event";
import { viewerInRoom } from "../sync/membership-at";
import { parseFilterParam, roomEventFilterSchema, type RoomEventFilter } from "../sync/filter";
import { withIgnored, type IgnoredUsers } from "../sync/ignored-users";
import { memberEventsOfSenders } from "../sync/lazy-members";
import { formatTopoToken, parsePaginationToken } from "../sync/tokens";
import type { CatchUp } from "./catch-up";
import { authenticate, CLIENT_PREFIXES, parseLimit, pathParam, queryString, requireRoomAccess } from "./common";

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;
/** Pages of hidden events skipped before answering with fewer than `limit`. */
const MAX_ROUNDS = 5;
const END_OF_TIME: TopoPoint = { depth: Number.MAX_SAFE_INTEGER, pos: Number.MAX_SAFE_INTEGER };
const START_OF_TIME: TopoPoint = { depth: Number.MIN_SAFE_INTEGER, pos: 0 };

export async function tokenToPoint(store: SyncStore, roomId: string, raw: string, param: string): Promise<TopoPoint> {
  const t = parsePaginationToken(raw, param);
  return t.kind === "topo" ? t.point : store.events.pointAfterPos(roomId, t.positions.room);
}

export function registerMessagesRoute(
  server: HttpServer,
  deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken">; catchUp: CatchUp; ignored: Pick<IgnoredUsers, "of"> },
): void {
  const { store } = deps;
  for (const prefix of CLIENT_PREFIXES) {
    server.get(`${prefix}/rooms/:roomId/messages`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const roomId = pathParam(req.params, "roomId");
      const dir = queryString(req.query, "dir");
      if (dir !== "b" && dir !== "f") throw new MatrixError("M_INVALID_PARAM", "dir must be b or f");
      const limit = parseLimit(queryString(req.query, "limit"), DEFAULT_LIMIT, MAX_LIMIT);
      const rawFilter = queryString(req.query, "filter");
      const filter: RoomEventFilter | undefined = rawFilter ? parseFilterParam(roomEventFilterSchema, rawFilter) : undefined;
      const rawFrom = queryString(req.query, "from");
      const rawTo = queryString(req.query, "to");
      let from = rawFrom ? await tokenToPoint(store, roomId, rawFrom, "from") : dir === "b" ? END_OF_TIME : START_OF_TIME;
      const to = rawTo ? await tokenToPoint(store, roomId, rawTo, "to") : undefined;
      const access = await requireRoomAccess(deps, roomId, who.userId);
      const viewer = viewerInRoom({ ...who, ignored: await deps.ignored.of(who.userId) }, access.visibility);
      // Ignored users' messages are left out in SQL, so they do not count against `limit`.
      const pageFilter = withIgnored(filter, viewer.ignored);
      // Whatever the page, it is read as of everything acknowledged: what was just sent is in it,
      // a redaction just acknowledged is applied.
      await deps.catchUp.latest(roomId, who.userId);

      const chunk: StoredEvent[] = [];
      let more = true;
      let last: StoredEvent | undefined;
      const eff = limit === 0 ? 0 : limit;
      for (let round = 0; round < MAX_ROUNDS && more && chunk.length < eff; round++) {
        const want = eff - chunk.length;
        const rows = await store.events.topoPage(roomId, from, dir, want + 1, { ...(to ? { to } : {}), ...(pageFilter ? { filter: pageFilter } : {}) });
        more = rows.length > want;
        const page = rows.slice(0, want);
        last = page[page.length - 1] ?? last;
        chunk.push(...page.filter((e) => access.visibility.canSee(e)));
        if (last) from = dir === "b" ? { depth: last.depth, pos: last.pos } : { depth: last.depth, pos: last.pos + 1 };
      }
      if (eff === 0) more = (await store.events.topoPage(roomId, from, dir, 1, { ...(to ? { to } : {}) })).length > 0;

      const res: Record<string, unknown> = {
        start: rawFrom ?? formatTopoToken(dir === "b" ? END_OF_TIME : START_OF_TIME),
        chunk: await clientEventsWithAggregations(store, viewer, chunk),
      };
      // Forwards, the newest event is not the last one there will be, and a page stopped by `to`
      // is not the end of the room: a client carries on from `end` (Synapse keeps it too).
      if (more || (last && (dir === "f" || to))) res.end = formatTopoToken(from);
      if (filter?.lazy_load_members && chunk.length > 0) {
        const newest = chunk.reduce((a, b) => (b.pos > a.pos ? b : a));
        res.state = (await memberEventsOfSenders(store, roomId, newest.pos, chunk)).map((e) => toClientEvent(e, viewer));
      }
      return res;
    });
  }
}
