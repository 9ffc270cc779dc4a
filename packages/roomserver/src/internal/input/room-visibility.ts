/**
 * Which rooms are public for the user directory (joined members of a room whose join rule is
 * `public` or whose history is `world_readable` are visible to everyone): the room_visibility row
 * follows the current state's m.room.join_rules and m.room.history_visibility.
 */
import type { RoomVisibilityChange, StateEntry } from "../../storage";
import type { RoomserverContext } from "../context";
import type { StoredEvent } from "../events";

const JOIN_RULES = "m.room.join_rules";
const HISTORY_VISIBILITY = "m.room.history_visibility";

/**
 * What a current-state change does to the room's row, read before the transaction opens;
 * undefined when it touches neither key (every message, most state events).
 */
export async function visibilityChangeOf(
  ctx: RoomserverContext,
  adds: readonly StateEntry[],
  removes: readonly StateEntry[],
  known: ReadonlyMap<number, StoredEvent>,
): Promise<RoomVisibilityChange | undefined> {
  if (adds.length === 0 && removes.length === 0) return undefined;
  const [typeNids, keyNids] = await Promise.all([ctx.store.assignEventTypeNids([JOIN_RULES, HISTORY_VISIBILITY]), ctx.store.assignStateKeyNids([""])]);
  const emptyKey = keyNids.get("");
  const fieldOf = (e: StateEntry) =>
    e.stateKeyNid !== emptyKey ? undefined : e.typeNid === typeNids.get(JOIN_RULES) ? "joinRule" : e.typeNid === typeNids.get(HISTORY_VISIBILITY) ? "historyVisibility" : undefined;
  const change: RoomVisibilityChange = {};
  // A key removed and not replaced (a state reset) has no value any more.
  for (const e of removes) {
    const field = fieldOf(e);
    if (field) change[field] = null;
  }
  const added = adds.filter((e) => fieldOf(e) !== undefined);
  const loaded = await ctx.events.byNids(added.map((e) => e.eventNid).filter((n) => !known.has(n)));
  for (const e of added) {
    const ev = known.get(e.eventNid) ?? loaded.get(e.eventNid);
    const field = fieldOf(e)!;
    const content = (ev?.pdu.content ?? {}) as Record<string, unknown>;
    const value = content[field === "joinRule" ? "join_rule" : "history_visibility"];
    change[field] = typeof value === "string" ? value : null;
  }
  return Object.keys(change).length === 0 ? undefined : change;
}
