/**
 * Lazy-loading room members (client-server API, "Lazy-loading room members"): the state sent
 * holds only the member events of the timeline's senders (and, initially, the syncing user's own), and —
 * unless include_redundant_members — not ones this device already got.
 */
import type { StateRow, StoredEvent, SyncStore } from "../storage";
import type { RoomEventFilter } from "./filter";

export interface LazyContext {
  store: SyncStore;
  userId: string;
  deviceId: string;
  roomId: string;
  /** The full state is being sent: the device starts over, so nothing is redundant. */
  initial: boolean;
}

/** The state rows to send: members reduced to the ones needed. Records what the device now holds. */
export async function lazyLoadState(
  ctx: LazyContext,
  filter: RoomEventFilter | undefined,
  state: StateRow[],
  timeline: StoredEvent[],
  stateAtStartPos: number,
  /** Read already (storage hot-path roomDelta with `lazy`): member rows at stateAtStartPos of at least the senders, and what the device holds of at least them and the timeline's member targets. */
  pre?: { members: StateRow[]; sent: ReadonlyMap<string, string> },
  /** Members wanted besides the senders (not with `pre`, which reads only the senders'). */
  alsoMembers: readonly string[] = [],
): Promise<StateRow[]> {
  if (!filter?.lazy_load_members) return state;
  const needed = new Set([...timeline.map((e) => e.sender), ...alsoMembers]);
  // The syncing user's own member event once, with the rest of a fresh state.
  if (ctx.initial) needed.add(ctx.userId);
  const nonMembers = state.filter((r) => r.type !== "m.room.member");
  // What the device holds matters when redundant members are left out, and to record only what changed.
  const fresh = ctx.initial || filter.include_redundant_members === true;
  const [wanted, held] = pre
    ? [pre.members.filter((r) => needed.has(r.stateKey)), ctx.initial ? new Map<string, string>() : pre.sent]
    : await Promise.all([
        needed.size === 0 ? [] : ctx.store.state.membersAfter(ctx.roomId, stateAtStartPos, [...needed]),
        ctx.initial ? new Map<string, string>() : ctx.store.lazyMembers.sentMembers(ctx.userId, ctx.deviceId, ctx.roomId),
      ]);
  const sent = fresh ? new Map<string, string>() : held;
  const members = wanted.filter((r) => sent.get(r.stateKey) !== r.eventId);
  const nowHeld = new Map<string, string>();
  for (const r of members) nowHeld.set(r.stateKey, r.eventId);
  // Member events in the timeline are held by the device too.
  for (const e of timeline) if (e.type === "m.room.member" && e.stateKey !== null) nowHeld.set(e.stateKey, e.eventId);
  // Recorded already (the device has it): nothing to write.
  for (const [member, eventId] of nowHeld) if (held.get(member) === eventId) nowHeld.delete(member);
  await ctx.store.lazyMembers.recordSentMembers(ctx.userId, ctx.deviceId, ctx.roomId, nowHeld);
  return [...nonMembers, ...members];
}

/** /messages and /context with lazy loading: the member events of these events' senders, after `pos`. */
export async function memberEventsOfSenders(store: SyncStore, roomId: string, pos: number, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
  const senders = [...new Set(events.map((e) => e.sender))];
  const rows = await store.state.membersAfter(roomId, pos, senders);
  return store.events.eventsByIds(rows.map((r) => r.eventId));
}
