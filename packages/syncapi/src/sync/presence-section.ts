/**
 * The `presence` section of a /sync answer: m.presence of the users the viewer shares a joined
 * room with (and their own), whose presence changed after the token's presence position — all
 * of them on an initial sync — and the members of rooms the viewer joined since the token. The top-level presence filter applies (types, senders, limit);
 * users the viewer ignores are left out.
 */
import type { OutputPresenceEvent } from "@dendrite-ts/eduserver";
import type { SyncStore } from "../storage";
import { eventMatches, type Filter } from "./filter";
import type { PresenceState } from "./presence";

export type PresenceSource = Pick<PresenceState, "position" | "changedSince" | "toEvent">;

export async function readPresence(
  store: Pick<SyncStore, "memberships">,
  presence: PresenceSource,
  input: {
    userId: string;
    ignored: ReadonlySet<string> | undefined;
    since: number | undefined;
    joined: readonly string[];
    /** Rooms the viewer joined since `since`: their members' presence is sent whether it changed or not. */
    newRooms: readonly string[];
    filter: Filter;
  },
): Promise<{ pos: number; events: Record<string, unknown>[] }> {
  // Position and changes read together (no await between): the changes are as of it or newer.
  const pos = presence.position();
  const f = input.filter.presence;
  const shown = (ev: OutputPresenceEvent) => !input.ignored?.has(ev.userId) && eventMatches(f, { type: "m.presence", sender: ev.userId });
  const changed = presence.changedSince(input.since).filter(shown);
  const changedUsers = new Set(changed.map((ev) => ev.userId));
  const unchanged = input.since !== undefined && input.newRooms.length > 0 ? presence.changedSince(undefined).filter((ev) => shown(ev) && !changedUsers.has(ev.userId)) : [];
  if (changed.length + unchanged.length === 0) return { pos, events: [] };
  const others = (evs: OutputPresenceEvent[]) => evs.filter((ev) => ev.userId !== input.userId).map((ev) => ev.userId);
  const [sharing, newMates] = await Promise.all([
    store.memberships.joinedToAnyOf(others(changed), input.joined),
    store.memberships.joinedToAnyOf(others(unchanged), input.newRooms),
  ]);
  let events = [
    ...changed.filter((ev) => ev.userId === input.userId || sharing.has(ev.userId)),
    ...unchanged.filter((ev) => newMates.has(ev.userId)),
  ].map((ev) => presence.toEvent(ev));
  if (f?.limit !== undefined) events = events.slice(0, f.limit);
  return { pos, events };
}
