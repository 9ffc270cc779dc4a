/**
 * GET /rooms/{roomId}/event/{eventId} (rooms.yaml) and /rooms/{roomId}/context/{eventId}
 * (event_context.yaml). An event the user may not see is 404, like an unknown one: the spec
 * answers both with "not found or you do not have permission". So is a non-state event of a
 * user they ignore (ignore_users.md: not sent to the client; Synapse refuses it too).
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { StoredEvent, SyncStore } from "../storage";
import { clientEventsWithAggregations } from "../sync/aggregations";
import { isIgnored, toClientEvent, type Viewer } from "../sync/client-event";
import { parseFilterParam, roomEventFilterSchema } from "../sync/filter";
import { withIgnored, type IgnoredUsers } from "../sync/ignored-users";
import { memberEventsOfSenders } from "../sync/lazy-members";
import { formatTopoToken } from "../sync/tokens";
import { loadRoomVisibility } from "../sync/visibility";
import { viewerInRoom } from "../sync/membership-at";
import type { CatchUp } from "./catch-up";
import { authenticate, CLIENT_PREFIXES, parseLimit, pathParam, queryString } from "./common";

const NOT_FOUND = "Event not found or you do not have permission to read it";

async function storedVisibleEvent(store: SyncStore, roomId: string, eventId: string, userId: string) {
  const [ev] = await store.events.eventsByIds([eventId]);
  // State-only rows (a join's state) are events too: clients fetch e.g. the create event by ID.
  if (!ev || ev.roomId !== roomId || ev.excluded) return undefined;
  const visibility = await loadRoomVisibility(store, roomId, userId);
  return visibility.canSee(ev) ? { ev, visibility } : undefined;
}

/** The event if the user may see it; one the roomserver already shows them is waited for (read-after-write). */
async function visibleEvent(deps: EventRouteDeps, roomId: string, eventId: string, viewer: Viewer) {
  const found =
    (await storedVisibleEvent(deps.store, roomId, eventId, viewer.userId)) ??
    ((await deps.catchUp.event(roomId, eventId, viewer.userId)) ? await storedVisibleEvent(deps.store, roomId, eventId, viewer.userId) : undefined);
  if (!found || isIgnored(viewer, found.ev)) throw new MatrixError("M_NOT_FOUND", NOT_FOUND);
  return found;
}

interface EventRouteDeps {
  store: SyncStore;
  userapi: Pick<UserapiForSync, "queryAccessToken">;
  catchUp: CatchUp;
  ignored: Pick<IgnoredUsers, "of">;
}

export function registerEventRoutes(server: HttpServer, deps: EventRouteDeps): void {
  const { store } = deps;
  for (const prefix of CLIENT_PREFIXES) {
    server.get(`${prefix}/rooms/:roomId/event/:eventId`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const viewer = { ...who, ignored: await deps.ignored.of(who.userId) };
      const { ev, visibility } = await visibleEvent(deps, pathParam(req.params, "roomId"), pathParam(req.params, "eventId"), viewer);
      const [client] = await clientEventsWithAggregations(store, viewerInRoom(viewer, visibility), [ev]);
      return client;
    });

    server.get(`${prefix}/rooms/:roomId/context/:eventId`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const roomId = pathParam(req.params, "roomId");
      const limit = parseLimit(queryString(req.query, "limit"), 10, 100);
      const rawFilter = queryString(req.query, "filter");
      const filter = rawFilter ? parseFilterParam(roomEventFilterSchema, rawFilter) : undefined;
      const viewer = { ...who, ignored: await deps.ignored.of(who.userId) };
      const { ev, visibility } = await visibleEvent(deps, roomId, pathParam(req.params, "eventId"), viewer);
      // Half before, half after (the spec leaves the split to the server).
      const beforeLimit = Math.floor(limit / 2);
      const afterLimit = limit - beforeLimit;
      // Ignored users' messages are left out in SQL, so they do not count against the limits.
      const pageFilter = withIgnored(filter, viewer.ignored);
      const opts = pageFilter ? { filter: pageFilter } : {};
      const [beforeRows, afterRows] = await Promise.all([
        beforeLimit > 0 ? store.events.topoPage(roomId, { depth: ev.depth, pos: ev.pos }, "b", beforeLimit, opts) : Promise.resolve([]),
        afterLimit > 0 ? store.events.topoPage(roomId, { depth: ev.depth, pos: ev.pos + 1 }, "f", afterLimit, opts) : Promise.resolve([]),
      ]);
      const before = beforeRows.filter((e) => visibility.canSee(e));
      const after = afterRows.filter((e) => visibility.canSee(e));
      const oldest = beforeRows[beforeRows.length - 1] ?? ev;
      const newest = afterRows[afterRows.length - 1] ?? ev;
      // The spec: the state of the room at the last event returned.
      const all: StoredEvent[] = [...before, ev, ...after];
      const stateRows = filter?.lazy_load_members
        ? await memberEventsOfSenders(store, roomId, newest.pos, all)
        : await store.events.eventsByIds((await store.state.stateAfter(roomId, newest.pos)).map((r) => r.eventId));
      const inRoom = viewerInRoom(viewer, visibility);
      const [event, ...around] = await clientEventsWithAggregations(store, inRoom, [ev, ...before, ...after]);
      return {
        event,
        events_before: around.slice(0, before.length),
        events_after: around.slice(before.length),
        start: formatTopoToken({ depth: oldest.depth, pos: oldest.pos }),
        end: formatTopoToken({ depth: newest.depth, pos: newest.pos + 1 }),
        state: stateRows.map((e) => toClientEvent(e, inRoom)),
      };
    });
  }
}
