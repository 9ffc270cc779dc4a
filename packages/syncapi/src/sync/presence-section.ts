/**
 * The `presence` section of a /sync answer: m.presence of the users the viewer shares a joined
 * room with (and their own), whose presence changed after the token's presence position — all
 * of them on an initial sync. The top-level presence filter applies (types, senders, limit);
 * users the viewer ignores are left out.
 */
import type { SyncStore } from "../storage";
import { eventMatches, type Filter } from "./filter";
import type { PresenceState } from "./presence";

export type PresenceSource = Pick<PresenceState, "position" | "changedSince" | "toEvent">;

export async function readPresence(
  store: Pick<SyncStore, "memberships">,
  presence: PresenceSource,
  input: { userId: string; ignored: ReadonlySet<string> | undefined; since: number | undefined; joined: readonly string[]; filter: Filter },
): Promise<{ pos: number; events: Record<string, unknown>[] }> {
  // Position and changes read together (no await between): the changes are as of it or newer.
  const pos = presence.position();
  const f = input.filter.presence;
  const changed = presence.changedSince(input.since).filter((ev) => !input.ignored?.has(ev.userId) && eventMatches(f, { type: "m.presence", sender: ev.userId }));
  if (changed.length === 0) return { pos, events: [] };
  const others = changed.filter((ev) => ev.userId !== input.userId).map((ev) => ev.userId);
  const sharing = await store.memberships.joinedToAnyOf(others, input.joined);
  let events = changed.filter((ev) => ev.userId === input.userId || sharing.has(ev.userId)).map((ev) => presence.toEvent(ev));
  if (f?.limit !== undefined) events = events.slice(0, f.limit);
  return { pos, events };
}
