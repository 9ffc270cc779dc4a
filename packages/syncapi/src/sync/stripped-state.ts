/**
 * Stripped state (client-server API, "Stripped state"): what an invitee or a knocker is shown
 * of a room they are not in — a few state events with type, state_key, sender and content only.
 */
import type { SyncStore } from "../storage";
import { strippedEvent } from "./client-event";

type Pdu = Record<string, unknown>;

/** The types the spec recommends, and the topic, which clients show too. */
export const STRIPPED_STATE_TYPES = [
  "m.room.create",
  "m.room.join_rules",
  "m.room.name",
  "m.room.avatar",
  "m.room.canonical_alias",
  "m.room.encryption",
  "m.room.topic",
];

/** The room's stripped state after `pos` as we hold it, plus the sender's member event; [] if we hold none. */
export async function strippedStateAt(store: SyncStore, roomId: string, pos: number, sender: string): Promise<Pdu[]> {
  const rows = await store.state.stateAfter(roomId, pos, STRIPPED_STATE_TYPES);
  const senderRow = await store.state.membersAfter(roomId, pos, [sender]);
  const held = await store.events.eventsByIds([...rows, ...senderRow].map((r) => r.eventId));
  return held.map((e) => strippedEvent(e.eventJson));
}
