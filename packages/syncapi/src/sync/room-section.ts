/**
 * One room of a /sync response (join or leave): the timeline window with `limited` and
 * `prev_batch`, and the state at the start of the timeline — all of it for an initial sync, a
 * full_state request or a room joined in the window; otherwise the changes since `since`.
 */
import type { StateRow, StoredEvent, SyncStore } from "../storage";
import { toClientEvent, type ClientEvent, type Viewer } from "./client-event";
import { eventMatches, type Filter, type RoomEventFilter } from "./filter";
import { bundleAggregations } from "./aggregations";
import { applyEventFields } from "./event-fields";
import { lazyLoadState } from "./lazy-members";
import { formatTopoToken } from "./tokens";
import { filterVisible } from "./visibility";

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
}

export interface RoomSection {
  timeline: { events: ClientEvent[]; limited: boolean; prev_batch: string };
  state: { events: ClientEvent[] };
  /** Whether anything in it is new to the client. */
  hasChanges: boolean;
}

export async function buildRoomSection(store: SyncStore, viewer: Viewer & { deviceId: string }, w: RoomWindow, filter: Filter): Promise<RoomSection> {
  const tf = filter.room?.timeline;
  const limit = Math.min(tf?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT);
  const timelineAfter = w.fullState && w.initial ? 0 : w.after;
  const newest = limit === 0 ? [] : await store.events.latestInRange(w.roomId, timelineAfter, w.upTo, limit + 1, tf);
  const limited = newest.length > limit || (limit === 0 && (await store.events.latestInRange(w.roomId, timelineAfter, w.upTo, 1, tf)).length > 0);
  const window = newest.slice(0, limit).reverse();
  const timeline = await filterVisible(store, w.roomId, viewer.userId, window);

  const first = window[0];
  const prevBatch = first ? formatTopoToken({ depth: first.depth, pos: first.pos }) : formatTopoToken(await store.events.pointAfterPos(w.roomId, w.upTo));
  // The state at the start of the timeline is the state after the position before it.
  const startPos = first ? first.pos - 1 : w.upTo;

  let rows: StateRow[];
  if (w.fullState) rows = await store.state.stateAfter(w.roomId, startPos);
  else rows = await store.state.stateChanges(w.roomId, w.after, startPos);
  // State that became current inside the window without an event the client sees (resolved
  // forks, a join's state fetched as outliers, events hidden from this user): sent as state,
  // or state + timeline would not add up to the current state.
  const shown = new Set(timeline.map((e) => e.eventId));
  if (window.length > 0) rows.push(...(await store.state.stateChanges(w.roomId, startPos, w.upTo)).filter((r) => !shown.has(r.eventId)));
  // Whenever the full state is sent the device starts over, so no member event is redundant.
  rows = await lazyLoadState({ store, userId: viewer.userId, deviceId: viewer.deviceId, roomId: w.roomId, initial: w.fullState }, filter.room?.state, rows, timeline, startPos);

  const state = await stateEvents(store, rows, filter.room?.state, viewer);
  const timelineEvents = timeline.map((e) => toClientEvent(e, viewer));
  // The spec asks for bundled aggregations when the timeline is limited (the client lacks the children).
  if (limited) await bundleAggregations(store, viewer, timeline, timelineEvents);
  return {
    timeline: { events: applyEventFields(timelineEvents, filter.event_fields), limited, prev_batch: prevBatch },
    state: { events: applyEventFields(state, filter.event_fields) },
    hasChanges: timelineEvents.length > 0 || state.length > 0 || w.fullState,
  };
}

async function stateEvents(store: SyncStore, rows: StateRow[], f: RoomEventFilter | undefined, viewer: Viewer): Promise<ClientEvent[]> {
  if (rows.length === 0) return [];
  const byId = new Map((await store.events.eventsByIds(rows.map((r) => r.eventId))).map((e) => [e.eventId, e]));
  const out: StoredEvent[] = [];
  for (const r of rows) {
    const e = byId.get(r.eventId);
    if (e && eventMatches(f, e)) out.push(e);
  }
  out.sort((a, b) => a.pos - b.pos);
  const limited = f?.limit !== undefined ? out.slice(-f.limit) : out;
  return limited.map((e) => toClientEvent(e, viewer));
}
