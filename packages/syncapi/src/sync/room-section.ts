/**
 * One room of a /sync response (join or leave): the timeline window with `limited` and
 * `prev_batch`, and the state at the start of the timeline — all of it for an initial sync, a
 * full_state request or a room joined in the window; otherwise the changes since `since`.
 */
import type { DeltaSpec, FullRead, RoomDelta, SqlEventFilter, StateRow, StoredEvent, SyncStore } from "../storage";
import { formatEvent, type ClientEvent, type EventFormat, type Viewer } from "./client-event";
import { roomEventMatches, type Filter, type RoomEventFilter } from "./filter";
import { bundleAggregations } from "./aggregations";
import { applyEventFields } from "./event-fields";
import { lazyLoadState } from "./lazy-members";
import { formatTopoToken } from "./tokens";
import { withIgnored } from "./ignored-users";
import { loadRoomVisibility, roomVisibility, type RoomVisibility } from "./visibility";
import { viewerInRoom } from "./membership-at";

/** Timeline events when the filter gives no limit. */
export const DEFAULT_TIMELINE_LIMIT = 10;
/** The most a filter may ask for per room: a bigger window is what /messages is for. */
export const MAX_TIMELINE_LIMIT = 500;

export interface RoomWindow {
  roomId: string;
  /** Stream positions (after, upTo]; upTo is the leave for a left room. */
  after: number;
  upTo: number;
  /** Send the whole state at the start of the timeline, and a timeline not bounded by `after`. */
  fullState: boolean;
  /** No since token: the device holds nothing. */
  initial: boolean;
  /** The state at the end of the timeline, timeline events included (state_after), not the state at its start. */
  stateAfter?: boolean;
  /** Add the room summary (join sections). */
  withSummary?: boolean;
  /** The window's reads, already made (syncOverview with deltaSpec()); only for a window that is not fullState. */
  delta?: RoomDelta;
  /** The full-state reads, already made (storage hot-path fullSections with fullSpec()); only for a fullState window. */
  full?: FullRead;
}

export interface RoomSummary {
  "m.heroes": string[];
  "m.joined_member_count": number;
  "m.invited_member_count": number;
}

export interface RoomSection {
  timeline: { events: ClientEvent[]; limited: boolean; prev_batch: string };
  /** The state at the start of the timeline, or at its end for a stateAfter window. */
  state: { events: ClientEvent[] };
  /** Whether anything in it is new to the client. */
  hasChanges: boolean;
  /** When asked for (withSummary). */
  summary?: RoomSummary;
}

/** What the section is made of, read by one of two paths. */
interface SectionReads {
  /** Newest first, up to limit + 1 (or 1 for a limit of 0). */
  newest: StoredEvent[];
  /** History visibility and the user's memberships in the room (read only when something is sent). */
  visibility(): Promise<RoomVisibility> | RoomVisibility;
  pointAfterUpTo(): Promise<{ depth: number; pos: number }> | { depth: number; pos: number };
  /** State rows to send, before lazy loading: the state at startPos (full) or its changes; plus what became current in the window. */
  stateRows(startPos: number, shown: Set<string>, hasWindow: boolean): Promise<StateRow[]> | StateRow[];
  /** State rows to send for state_after, before lazy loading: the state at upTo (full), or what changed after `after` and is current at upTo. */
  stateAfterRows(): Promise<StateRow[]> | StateRow[];
  /** Events of state rows already read (undefined: read, and not held). */
  known: Map<string, StoredEvent | undefined>;
  /** Lazy-loading reads already made. */
  lazy?: { members: StateRow[]; sent: ReadonlyMap<string, string> };
  summary(): Promise<RoomSummary | undefined> | RoomSummary | undefined;
}

/** The timeline limit a filter asks for. */
function timelineLimit(filter: Filter): number {
  return Math.min(filter.room?.timeline?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT);
}

/** The timeline query's filter: the client's, less what the viewer ignores. */
function timelineFilter(viewer: Viewer, filter: Filter): SqlEventFilter | undefined {
  return withIgnored(filter.room?.timeline, viewer.ignored);
}

/** What deltaReads reads for a join section of this user under this filter (for syncOverview to read it along). */
export function deltaSpec(viewer: Viewer & { deviceId: string }, filter: Filter): DeltaSpec {
  const limit = timelineLimit(filter);
  const tf = timelineFilter(viewer, filter);
  return {
    userId: viewer.userId,
    fetch: limit + 1,
    ...(tf ? { filter: tf } : {}),
    needPoint: limit === 0,
    withSummary: true,
    ...(filter.room?.state?.lazy_load_members ? { lazy: { deviceId: viewer.deviceId } } : {}),
  };
}

/** What fullSections reads for the full-state sections of this user under this filter (withSummary: join sections). */
export function fullSpec(viewer: Viewer & { deviceId: string }, filter: Filter, withSummary: boolean): DeltaSpec {
  return { ...deltaSpec(viewer, filter), withSummary };
}

export async function buildRoomSection(store: SyncStore, viewer: Viewer & { deviceId: string }, w: RoomWindow, filter: Filter): Promise<RoomSection> {
  const tf = timelineFilter(viewer, filter);
  const limit = timelineLimit(filter);
  const reads = w.fullState
    ? w.full
      ? prefetchedFullReads(viewer, w, w.full)
      : await fullReads(store, viewer, w, limit, tf)
    : await deltaReads(store, viewer, w, limit, filter);
  const limited = reads.newest.length > limit;
  const window = reads.newest.slice(0, limit).reverse();
  let visibility: RoomVisibility | undefined;
  const loadVisibility = async () => (visibility ??= await reads.visibility());
  let timeline = window;
  if (window.length > 0) {
    const v = await loadVisibility();
    timeline = window.filter((e) => v.canSee(e));
  }

  const first = window[0];
  const prevBatch = formatTopoToken(first ? { depth: first.depth, pos: first.pos } : await reads.pointAfterUpTo());
  // The state at the start of the timeline is the state after the position before it.
  const startPos = first ? first.pos - 1 : w.upTo;
  // State that became current inside the window without an event the client sees (resolved
  // forks, a join's state fetched as outliers, events hidden from this user): sent as state,
  // or state + timeline would not add up to the current state.
  const shown = new Set(timeline.map((e) => e.eventId));
  // Whenever the full state is sent the device starts over, so no member event is redundant.
  const lazyCtx = { store, userId: viewer.userId, deviceId: viewer.deviceId, roomId: w.roomId, initial: w.fullState };
  let rows: StateRow[];
  if (w.stateAfter) {
    // The client takes no state from the timeline, so members the timeline changes come along
    // too; and all as of its end (the prefetched lazy reads are as of its start).
    const targets = timeline.filter((e) => e.type === "m.room.member" && e.stateKey !== null).map((e) => e.stateKey!);
    rows = await lazyLoadState(lazyCtx, filter.room?.state, await reads.stateAfterRows(), timeline, w.upTo, undefined, targets);
  } else {
    rows = await lazyLoadState(lazyCtx, filter.room?.state, await reads.stateRows(startPos, shown, window.length > 0), timeline, startPos, reads.lazy);
  }

  // Events sent carry the user's membership at them (unsigned.membership, membership-at.ts).
  const inRoom = timeline.length > 0 || rows.length > 0 ? viewerInRoom(viewer, await loadVisibility()) : viewer;
  const [state, summary] = await Promise.all([stateEvents(store, rows, filter.room?.state, inRoom, reads.known, filter.event_format), reads.summary()]);
  const timelineEvents = timeline.map((e) => formatEvent(e, inRoom, filter.event_format));
  // The spec asks for bundled aggregations when the timeline is limited (the client lacks the children).
  if (limited) await bundleAggregations(store, inRoom, timeline, timelineEvents);
  return {
    timeline: { events: applyEventFields(timelineEvents, filter.event_fields), limited, prev_batch: prevBatch },
    state: { events: applyEventFields(state, filter.event_fields) },
    hasChanges: timelineEvents.length > 0 || state.length > 0 || w.fullState,
    ...(summary ? { summary } : {}),
  };
}

/** The full state at the start of the timeline (initial, newly joined, full_state): several reads. */
async function fullReads(store: SyncStore, viewer: Viewer, w: RoomWindow, limit: number, tf: SqlEventFilter | undefined): Promise<SectionReads> {
  const timelineAfter = w.initial ? 0 : w.after;
  const newest = await store.events.latestInRange(w.roomId, timelineAfter, w.upTo, limit + 1, tf);
  return {
    newest,
    visibility: () => loadRoomVisibility(store, w.roomId, viewer.userId),
    pointAfterUpTo: () => store.events.pointAfterPos(w.roomId, w.upTo),
    async stateRows(startPos, shown, hasWindow) {
      const rows = await store.state.stateAfter(w.roomId, startPos);
      if (hasWindow) rows.push(...(await store.state.stateChanges(w.roomId, startPos, w.upTo)).filter((r) => !shown.has(r.eventId)));
      return rows;
    },
    stateAfterRows: () => store.state.stateAfter(w.roomId, w.upTo),
    known: new Map(),
    summary: () => (w.withSummary ? roomSummary(store, w.roomId, viewer.userId) : undefined),
  };
}

/** The full state read along with other rooms' (storage hot-path fullSections): no round trip but lazy loading's record and aggregations. */
function prefetchedFullReads(viewer: Viewer, w: RoomWindow, d: FullRead): SectionReads {
  const known = new Map<string, StoredEvent | undefined>();
  for (const s of [...d.stateRows, ...(d.lazy?.members ?? [])]) known.set(s.row.eventId, s.event);
  return {
    newest: d.timeline,
    visibility: () => visibilityOf(viewer, d),
    pointAfterUpTo: () => pointAfter(d),
    stateRows(startPos, shown, hasWindow) {
      // As state.stateAfter(startPos), then state.stateChanges(startPos, upTo) less what the timeline shows.
      const rows = d.stateRows.map((s) => s.row);
      const out = rows.filter((r) => r.addedPos <= startPos);
      if (hasWindow) out.push(...rows.filter((r) => r.addedPos > startPos && !shown.has(r.eventId)));
      return out;
    },
    // Rows current at upTo were current at startPos or came after it: all read.
    stateAfterRows: () => d.stateRows.map((s) => s.row).filter((r) => isLive(r, w.upTo)),
    known,
    ...(d.lazy ? { lazy: { members: d.lazy.members.map((m) => m.row), sent: d.lazy.sent } } : {}),
    summary: () => summaryOf(d),
  };
}

function visibilityOf(viewer: Viewer, d: RoomDelta): RoomVisibility {
  const values = new Map(d.visibilityRows.filter((v) => v.held).map((v) => [v.row.eventId, v.value]));
  return roomVisibility(viewer.userId, d.visibilityRows.map((x) => x.row), values, d.memberRows);
}

/** As events.pointAfterPos: just after the newest event at or before upTo. */
function pointAfter(d: RoomDelta): { depth: number; pos: number } {
  return d.point ? { depth: d.point.depth, pos: d.point.pos + 1 } : { depth: 0, pos: 0 };
}

function summaryOf(d: RoomDelta): RoomSummary | undefined {
  return d.summary && { "m.heroes": d.summary.heroes, "m.joined_member_count": d.summary.joined, "m.invited_member_count": d.summary.invited };
}

/** An incremental window: one round trip (storage hot-path roomDelta) for everything but lazy loading and aggregations. */
async function deltaReads(store: SyncStore, viewer: Viewer & { deviceId: string }, w: RoomWindow, limit: number, filter: Filter): Promise<SectionReads> {
  const tf = timelineFilter(viewer, filter);
  const d =
    w.delta ??
    (await store.hot.roomDelta({
      roomId: w.roomId,
      userId: viewer.userId,
      after: w.after,
      upTo: w.upTo,
      fetch: limit + 1,
      ...(tf ? { filter: tf } : {}),
      needPoint: limit === 0,
      withSummary: w.withSummary === true,
      ...(filter.room?.state?.lazy_load_members ? { lazy: { deviceId: viewer.deviceId } } : {}),
    }));
  const known = new Map<string, StoredEvent | undefined>();
  for (const s of [...d.stateRows, ...(d.lazy?.members ?? [])]) if (s.event) known.set(s.event.eventId, s.event);
  return {
    newest: d.timeline,
    visibility: () => visibilityOf(viewer, d),
    pointAfterUpTo: () => pointAfter(d),
    stateRows(startPos, shown, hasWindow) {
      // As state.stateChanges(after, startPos), then stateChanges(startPos, upTo) less what the timeline shows.
      const rows = d.stateRows.map((s) => s.row);
      const out = rows.filter((r) => r.addedPos > w.after && isLive(r, startPos));
      if (hasWindow) out.push(...rows.filter((r) => r.addedPos > startPos && isLive(r, w.upTo) && !shown.has(r.eventId)));
      return out;
    },
    stateAfterRows: () => d.stateRows.map((s) => s.row).filter((r) => r.addedPos > w.after && isLive(r, w.upTo)),
    known,
    ...(d.lazy ? { lazy: { members: d.lazy.members.map((m) => m.row), sent: d.lazy.sent } } : {}),
    summary: () => summaryOf(d),
  };
}

/** Whether a state row is part of the state at `pos`. */
function isLive(r: StateRow, pos: number): boolean {
  return r.addedPos <= pos && (r.removedPos === null || r.removedPos > pos);
}

/** The room summary from current state: counts, and heroes for naming a room without a name. */
async function roomSummary(store: SyncStore, roomId: string, userId: string): Promise<RoomSummary> {
  const [counts, heroes] = await Promise.all([store.state.memberCounts(roomId), store.state.heroes(roomId, userId, 5)]);
  return { "m.heroes": heroes, "m.joined_member_count": counts.joined, "m.invited_member_count": counts.invited };
}

async function stateEvents(
  store: SyncStore,
  rows: StateRow[],
  f: RoomEventFilter | undefined,
  viewer: Viewer,
  known: ReadonlyMap<string, StoredEvent | undefined>,
  format: EventFormat | undefined,
): Promise<ClientEvent[]> {
  if (rows.length === 0) return [];
  const byId = new Map(known);
  const missing = [...new Set(rows.map((r) => r.eventId).filter((id) => !byId.has(id)))];
  if (missing.length > 0) for (const e of await store.events.eventsByIds(missing)) byId.set(e.eventId, e);
  const out: StoredEvent[] = [];
  for (const r of rows) {
    const e = byId.get(r.eventId);
    if (e && roomEventMatches(f, e)) out.push(e);
  }
  out.sort((a, b) => a.pos - b.pos);
  const limited = f?.limit !== undefined ? out.slice(-f.limit) : out;
  return limited.map((e) => formatEvent(e, viewer, format));
}
