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
import { parseFilterParam, roomEventFilterSchema, roomEventMatches } from "../sync/filter";
import { withIgnored, type IgnoredUsers } from "../sync/ignored-users";
import { formatTopoToken } from "../sync/tokens";
import { loadRoomVisibility } from "../sync/visibility";
import { viewerInRoom } from "../sync/membership-at";
import type { CatchUp } from "./catch-up";
import { authenticate, CLIENT_PREFIXES, parseLimit, pathParam, queryString } from "./common";

const NOT_FOUND = "Event not found or you do not have permission to read it";

/**
 * The event if it is stored here and the user may see it, read in one query with `newest` (the
 * room's newest events as the roomserver holds them): `behind` when some are not stored here.
 */
async function storedVisibleEvent(store: SyncStore, roomId: string, eventId: string, userId: string, newest: readonly string[] = []) {
  const rows = await store.events.eventsByIds([...new Set([eventId, ...newest])]);
  const held = new Set(rows.map((r) => r.eventId));
  const behind = newest.some((id) => !held.has(id));
  const ev = rows.find((r) => r.eventId === eventId);
  // State-only rows (a join's state) are events too: clients fetch e.g. the create event by ID.
  if (!ev || ev.roomId !== roomId || ev.excluded) return { behind };
  const visibility = await loadRoomVisibility(store, roomId, userId);
  return visibility.canSee(ev) ? { found: { ev, visibility }, behind } : { behind };
}

/**
 * The event if the user may see it, as of everything the roomserver acknowledged before the
 * read (`newest`, asked first): when our tables trail it, a redaction just acknowledged may
 * not be applied yet, so we wait, bounded, for them. One the roomserver already shows the user
 * but we lack is waited for too (read-after-write).
 */
async function visibleEvent(deps: EventRouteDeps, roomId: string, eventId: string, viewer: Viewer, ids: string[]) {
  const { userId } = viewer;
  let { found, behind } = await storedVisibleEvent(deps.store, roomId, eventId, userId, ids);
  if (found && behind) {
    await deps.catchUp.stored(roomId, userId, ids);
    found = (await storedVisibleEvent(deps.store, roomId, eventId, userId)).found;
  }
  found ??= (await deps.catchUp.event(roomId, eventId, userId)) ? (await storedVisibleEvent(deps.store, roomId, eventId, userId)).found : undefined;
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
      const roomId = pathParam(req.params, "roomId");
      const [rsNewest, ignored] = await Promise.all([deps.catchUp.newest(roomId), deps.ignored.of(who.userId)]);
      const viewer = { ...who, ignored };
      const { ev, visibility } = await visibleEvent(deps, roomId, pathParam(req.params, "eventId"), viewer, rsNewest);
      const [client] = await clientEventsWithAggregations(store, viewerInRoom(viewer, visibility), [ev]);
      return client;
    });

    server.get(`${prefix}/rooms/:roomId/context/:eventId`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const roomId = pathParam(req.params, "roomId");
      const limit = parseLimit(queryString(req.query, "limit"), 10, 100);
      const rawFilter = queryString(req.query, "filter");
      const filter = rawFilter ? parseFilterParam(roomEventFilterSchema, rawFilter) : undefined;
      const [rsNewest, ignored] = await Promise.all([deps.catchUp.newest(roomId), deps.ignored.of(who.userId)]);
      const viewer = { ...who, ignored };
      const { ev, visibility } = await visibleEvent(deps, roomId, pathParam(req.params, "eventId"), viewer, rsNewest);
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
      // Lazy loading narrows only the membership events, to the senders of the events returned
      // (spec, "Lazy-loading room members"); the rest of the state stays.
      const senders = filter?.lazy_load_members ? new Set(all.map((e) => e.sender)) : undefined;
      const stateAt = await store.state.stateAfter(roomId, newest.pos);
      const kept = senders ? stateAt.filter((r) => r.type !== "m.room.member" || senders.has(r.stateKey)) : stateAt;
      const stateRead = await store.events.eventsByIds(kept.map((r) => r.eventId));
      // The spec applies the filter to `state` as well (its limit bounds only the events around).
      const stateRows = stateRead.filter((e) => roomEventMatches(filter, e));
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
