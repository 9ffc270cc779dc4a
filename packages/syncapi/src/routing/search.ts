/**
 * POST /search (client-server API, "Server Side Search"; search.yaml), category room_events:
 * full-text search over message bodies, room names and topics in the rooms the user is or was
 * joined to. Only what /messages would show them is returned: events of left rooms up to their
 * leave, history visibility decided per event as everywhere (sync/visibility.ts), nothing of
 * users they ignore, no room they forgot; a redacted event holds no text, so it never matches.
 * Pages with `next_batch` in either order (rank, then stream position; or origin_server_ts, as
 * Synapse orders `recent`). `count` counts matches before visibility (an estimate, which the
 * spec allows).
 */
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SearchCursor, SearchHit, SearchKey, SearchQuery, SearchRoom, SqlEventFilter, StoredEvent, SyncStore } from "../storage";
import { clientEventsWithAggregations } from "../sync/aggregations";
import { toClientEvent, type ClientEvent, type Viewer } from "../sync/client-event";
import { withIgnored, type IgnoredUsers } from "../sync/ignored-users";
import { viewerInRoom } from "../sync/membership-at";
import { formatSearchToken, parseSearchBody, parseSearchToken, type GroupKey, type RoomEventsCriteria, type SearchToken } from "../sync/search-request";
import { formatTopoToken } from "../sync/tokens";
import { loadRoomVisibility, type RoomVisibility } from "../sync/visibility";
import type { CatchUp } from "./catch-up";
import { authenticate, CLIENT_PREFIXES, queryString } from "./common";

const ALL_KEYS: SearchKey[] = ["content.body", "content.name", "content.topic"];
/** The filter's limit when it has none (Synapse's too), and the most one page returns. */
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
const DEFAULT_CONTEXT = 5;
const MAX_CONTEXT = 100;
/** Pages of hidden matches skipped before answering with fewer than the limit. */
const MAX_ROUNDS = 5;

interface SearchDeps {
  store: SyncStore;
  userapi: Pick<UserapiForSync, "queryAccessToken">;
  catchUp: Pick<CatchUp, "membership">;
  ignored: Pick<IgnoredUsers, "of">;
}

/** Per room: what deciding visibility needs, loaded once per request; null = the user forgot it. */
type RoomAccessCache = Map<string, Promise<RoomVisibility | null>>;

export function registerSearchRoute(server: HttpServer, deps: SearchDeps): void {
  for (const prefix of CLIENT_PREFIXES) {
    server.post(`${prefix}/search`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const criteria = parseSearchBody(req.body);
      const order = criteria.order_by ?? "rank";
      const rawBatch = queryString(req.query, "next_batch");
      const token = rawBatch !== undefined ? parseSearchToken(rawBatch, order) : undefined;
      const viewer: Viewer = { ...who, ignored: await deps.ignored.of(who.userId) };
      return { search_categories: { room_events: await searchRoomEvents(deps, viewer, criteria, order, token) } };
    });
  }
}

async function searchRoomEvents(deps: SearchDeps, viewer: Viewer, criteria: RoomEventsCriteria, order: "rank" | "recent", token: SearchToken | undefined) {
  const { store } = deps;
  const limit = Math.min(criteria.filter?.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const query: SearchQuery = {
    term: criteria.search_term,
    keys: criteria.keys && criteria.keys.length > 0 ? [...new Set(criteria.keys)] : ALL_KEYS,
    rooms: await searchableRooms(store, viewer.userId, token?.group),
    filter: scopedFilter(criteria.filter, token?.group),
    excludeSenders: [...(viewer.ignored ?? [])],
    order,
  };

  const access: RoomAccessCache = new Map();
  const hits: SearchHit[] = [];
  let cursor: SearchCursor | undefined = token?.cursor;
  let more = limit > 0;
  for (let round = 0; round < MAX_ROUNDS && more && hits.length < limit; round++) {
    const want = limit - hits.length;
    const rows = await store.search.searchEvents(query, want + 1, cursor);
    more = rows.length > want;
    const page = rows.slice(0, want);
    for (const hit of page) if (await visible(deps, access, viewer.userId, hit.event)) hits.push(hit);
    const last = page[page.length - 1];
    if (last) cursor = { key: last.key, pos: last.event.pos };
  }

  const events = hits.map((h) => h.event);
  const [count, highlights, clients] = await Promise.all([
    store.search.countSearch(query),
    store.search.searchHighlights(query.term, events),
    clientEventsByRoom(store, viewer, access, events),
  ]);
  const contexts = criteria.event_context ? await eventContexts(store, viewer, access, events, criteria.event_context) : undefined;
  const out: Record<string, unknown> = {
    count,
    highlights,
    results: hits.map((h, i) => ({ rank: Number(h.rank), result: clients[i], context: contexts?.[i] ?? {} })),
  };
  if (criteria.include_state) out.state = await roomStates(store, viewer, access, query.rooms, events);
  const groupKeys = new Set<GroupKey>((criteria.groupings?.group_by ?? []).map((g) => g.key));
  if (groupKeys.size > 0) out.groups = await groupsOf(store, query, groupKeys, events, more ? cursor : undefined);
  if (more && cursor) out.next_batch = formatSearchToken({ order, cursor, ...(token?.group ? { group: token.group } : {}) });
  return out;
}

/**
 * Rooms the user is joined to, and rooms they left after having joined, read only up to their
 * leave (spec: "including those that they have left", not what happened after). An invite
 * never joined gives nothing to search.
 */
async function searchableRooms(store: SyncStore, userId: string, group: SearchToken["group"]): Promise<SearchRoom[]> {
  const rooms = await store.memberships.roomsEverJoined(userId);
  const scoped = group?.key === "room_id" ? rooms.filter((r) => r.roomId === group.value) : rooms;
  return scoped.map((r) => (r.membership === "join" ? { roomId: r.roomId } : { roomId: r.roomId, upTo: r.pos }));
}

/** A sender-scoped token narrows the filter's senders to that one. */
function scopedFilter(given: NonNullable<RoomEventsCriteria["filter"]> | undefined, group: SearchToken["group"]): SqlEventFilter {
  // Only the filter's own lists: the object keeps unknown keys, which must not reach storage's other conditions.
  const { types, not_types, senders, not_senders, rooms, not_rooms, contains_url } = given ?? {};
  const filter: SqlEventFilter = { types, not_types, senders, not_senders, rooms, not_rooms, contains_url };
  if (group?.key !== "sender") return filter;
  return { ...filter, senders: filter.senders ? filter.senders.filter((s) => s === group.value) : [group.value] };
}

function roomAccess(deps: SearchDeps, cache: RoomAccessCache, userId: string, roomId: string): Promise<RoomVisibility | null> {
  let got = cache.get(roomId);
  if (!got) {
    got = (async () => {
      const history = await deps.store.memberships.roomMembershipHistory(userId, roomId);
      // A room left and forgotten is no longer the user's to read (leaving.yaml, forget).
      if (history[history.length - 1]?.membership !== "join" && (await deps.catchUp.membership(roomId, userId)).forgotten) return null;
      return loadRoomVisibility(deps.store, roomId, userId);
    })();
    cache.set(roomId, got);
  }
  return got;
}

async function visible(deps: SearchDeps, cache: RoomAccessCache, userId: string, ev: StoredEvent): Promise<boolean> {
  const visibility = await roomAccess(deps, cache, userId, ev.roomId);
  return visibility !== null && visibility.canSee(ev);
}

/** Client events (with aggregations and unsigned.membership) in the order given, across rooms. */
async function clientEventsByRoom(store: SyncStore, viewer: Viewer, cache: RoomAccessCache, events: readonly StoredEvent[]): Promise<ClientEvent[]> {
  const out = new Map<string, ClientEvent>();
  for (const roomId of new Set(events.map((e) => e.roomId))) {
    const inRoom = events.filter((e) => e.roomId === roomId);
    const clients = await clientEventsWithAggregations(store, viewerInRoom(viewer, (await cache.get(roomId))!), inRoom);
    inRoom.forEach((e, i) => out.set(e.eventId, clients[i]!));
  }
  return events.map((e) => out.get(e.eventId)!);
}

/**
 * events_before/events_after of each result, as /context reads them (topological order, what
 * the user may see, no ignored user's messages), with tokens for /messages and, when asked,
 * the senders' profiles as of the last event returned.
 */
async function eventContexts(
  store: SyncStore,
  viewer: Viewer,
  cache: RoomAccessCache,
  events: readonly StoredEvent[],
  ask: NonNullable<RoomEventsCriteria["event_context"]>,
): Promise<Record<string, unknown>[]> {
  const beforeLimit = Math.min(ask.before_limit ?? DEFAULT_CONTEXT, MAX_CONTEXT);
  const afterLimit = Math.min(ask.after_limit ?? DEFAULT_CONTEXT, MAX_CONTEXT);
  const pageFilter = withIgnored(undefined, viewer.ignored);
  const opts = pageFilter ? { filter: pageFilter } : {};
  return Promise.all(
    events.map(async (ev) => {
      const visibility = (await cache.get(ev.roomId))!;
      const [beforeRows, afterRows] = await Promise.all([
        beforeLimit > 0 ? store.events.topoPage(ev.roomId, { depth: ev.depth, pos: ev.pos }, "b", beforeLimit, opts) : Promise.resolve([]),
        afterLimit > 0 ? store.events.topoPage(ev.roomId, { depth: ev.depth, pos: ev.pos + 1 }, "f", afterLimit, opts) : Promise.resolve([]),
      ]);
      const before = beforeRows.filter((e) => visibility.canSee(e));
      const after = afterRows.filter((e) => visibility.canSee(e));
      const oldest = beforeRows[beforeRows.length - 1] ?? ev;
      const newest = afterRows[afterRows.length - 1] ?? ev;
      const inRoom = viewerInRoom(viewer, visibility);
      const around = await clientEventsWithAggregations(store, inRoom, [...before, ...after]);
      const context: Record<string, unknown> = {
        events_before: around.slice(0, before.length),
        events_after: around.slice(before.length),
        start: formatTopoToken({ depth: oldest.depth, pos: oldest.pos }),
        end: formatTopoToken({ depth: newest.depth, pos: newest.pos + 1 }),
      };
      if (ask.include_profile) {
        const senders = [...new Set([...before, ev, ...after].map((e) => e.sender))];
        const lastShown = after[after.length - 1] ?? ev;
        context.profile_info = await profilesAt(store, ev.roomId, lastShown.pos, senders);
      }
      return context;
    }),
  );
}

/** Display names and avatars of these users from their member events in the state after `pos`. */
async function profilesAt(store: SyncStore, roomId: string, pos: number, userIds: string[]): Promise<Record<string, Record<string, string>>> {
  const rows = await store.state.membersAfter(roomId, pos, userIds);
  const events = await store.events.eventsByIds(rows.map((r) => r.eventId));
  const out: Record<string, Record<string, string>> = {};
  for (const e of events) {
    const content = (e.eventJson.content ?? {}) as Record<string, unknown>;
    const profile: Record<string, string> = {};
    if (typeof content.displayname === "string") profile.displayname = content.displayname;
    if (typeof content.avatar_url === "string") profile.avatar_url = content.avatar_url;
    out[e.stateKey!] = profile;
  }
  return out;
}

/** The state of each room in the results: current where the user is joined, as at their leave otherwise. */
async function roomStates(store: SyncStore, viewer: Viewer, cache: RoomAccessCache, rooms: readonly SearchRoom[], events: readonly StoredEvent[]) {
  const upTo = new Map(rooms.map((r) => [r.roomId, r.upTo ?? Number.MAX_SAFE_INTEGER]));
  const out: Record<string, ClientEvent[]> = {};
  for (const roomId of new Set(events.map((e) => e.roomId))) {
    const rows = await store.state.stateAfter(roomId, upTo.get(roomId)!);
    const inRoom = viewerInRoom(viewer, (await cache.get(roomId))!);
    out[roomId] = (await store.events.eventsByIds(rows.map((r) => r.eventId))).map((e) => toClientEvent(e, inRoom));
  }
  return out;
}

/**
 * groups.room_id / groups.sender: each group's results on this page, `order` its place (the
 * first of its results, from 1), and a next_batch scoped to it when it has more matches past
 * this page.
 */
async function groupsOf(store: SyncStore, query: SearchQuery, keys: Set<GroupKey>, events: readonly StoredEvent[], next: SearchCursor | undefined) {
  const valueOf = (key: GroupKey, e: StoredEvent) => (key === "room_id" ? e.roomId : e.sender);
  const values = (key: GroupKey) => (keys.has(key) ? [...new Set(events.map((e) => valueOf(key, e)))] : []);
  const withMore = next
    ? await store.search.groupsWithMore(query, next, { roomIds: values("room_id"), senders: values("sender") })
    : { roomIds: new Set<string>(), senders: new Set<string>() };
  const out: Record<string, Record<string, unknown>> = {};
  for (const key of keys) {
    const groups: Record<string, { results: string[]; order: number; next_batch?: string }> = {};
    events.forEach((e, i) => {
      const value = valueOf(key, e);
      const group = (groups[value] ??= { results: [], order: i + 1 });
      group.results.push(e.eventId);
    });
    const more = key === "room_id" ? withMore.roomIds : withMore.senders;
    for (const [value, group] of Object.entries(groups)) {
      if (next && more.has(value)) group.next_batch = formatSearchToken({ order: query.order, cursor: next, group: { key, value } });
    }
    out[key] = groups;
  }
  return out;
}
