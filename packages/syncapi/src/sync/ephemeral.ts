/**
 * The `ephemeral` events of /sync join sections ("Typing Notifications", "Receipts"):
 *
 *  - m.typing: the users typing now in each joined room whose list changed after the token's
 *    typing position (every room with someone typing, for rooms new to the client);
 *  - m.receipt: the receipts of joined rooms that moved after the token's receipt position
 *    (all of a room's latest ones, for rooms new to the client: an initial sync, a new join),
 *    grouped event → type → user. An m.read.private is only ever its owner's.
 *
 * Users the viewer ignores are left out of both. The room.ephemeral filter applies (types, rooms;
 * senders as the receipt's or typist's user).
 */
import type { SyncStore, ReceiptRow } from "../storage";
import { eventMatches, roomAllowed, type Filter } from "./filter";
import type { TypingState } from "./typing";

type Json = Record<string, unknown>;

export type TypingSource = Pick<TypingState, "position" | "changedSince">;

export interface Ephemeral {
  /** The receipt and typing positions the events are as of: the next token's. */
  receiptPos: number;
  typingPos: number;
  /** Ephemeral events by room (only rooms with some). */
  byRoom: Map<string, Json[]>;
}

export async function readEphemeral(
  store: Pick<SyncStore, "receipts">,
  typing: TypingSource,
  input: {
    userId: string;
    ignored: ReadonlySet<string> | undefined;
    /** Receipt and typing positions of the token; undefined for an initial sync. */
    since: { receipt: number; typing: number } | undefined;
    joined: readonly string[];
    /** Joined rooms the client is told about from scratch (all of them on an initial sync). */
    newRooms: ReadonlySet<string>;
    filter: Filter;
  },
): Promise<Ephemeral> {
  const f = input.filter.room?.ephemeral;
  const rooms = input.joined.filter((r) => roomAllowed(f, r));
  const byRoom = new Map<string, Json[]>();
  const add = (roomId: string, ev: Json) => byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), ev]);
  const shown = (userId: string, type: string) => !input.ignored?.has(userId) && eventMatches(f, { type, sender: userId });

  // Position and lists read together (no await between): the lists are as of the position or newer.
  const typingPos = typing.position();
  const typists = typing.changedSince(input.since?.typing ?? 0, rooms, input.newRooms, input.ignored);
  const { now: receiptPos, receipts } = await store.receipts.receiptsFor({
    userId: input.userId,
    rooms,
    since: input.since?.receipt ?? 0,
    allOf: rooms.filter((r) => input.newRooms.has(r)),
  });

  for (const [roomId, users] of typists) {
    if (eventMatches(f, { type: "m.typing" })) add(roomId, { type: "m.typing", content: { user_ids: users.filter((u) => shown(u, "m.typing")) } });
  }
  for (const [roomId, rows] of groupByRoom(receipts)) {
    const content = receiptContent(rows.filter((r) => shown(r.userId, "m.receipt")));
    if (content) add(roomId, { type: "m.receipt", content });
  }
  return { receiptPos, typingPos, byRoom };
}

function groupByRoom(rows: readonly ReceiptRow[]): Map<string, ReceiptRow[]> {
  const out = new Map<string, ReceiptRow[]>();
  for (const r of rows) out.set(r.roomId, [...(out.get(r.roomId) ?? []), r]);
  return out;
}

/** `{ "$event": { "m.read": { "@user": { ts, thread_id? } } } }`; undefined when there is none. */
function receiptContent(rows: readonly ReceiptRow[]): Json | undefined {
  if (rows.length === 0) return undefined;
  const content: Record<string, Record<string, Record<string, Json>>> = {};
  for (const r of rows) {
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.receiptType] ??= {});
    byUser[r.userId] = r.threadId === null ? { ts: r.ts } : { ts: r.ts, thread_id: r.threadId };
  }
  return content;
}
