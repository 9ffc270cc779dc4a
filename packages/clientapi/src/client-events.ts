/**
 * PDUs from the roomserver turned into the client-server API's event format (ClientEvent):
 * the event ID computed for the room version (queries return PDUs without one), room_id always
 * present (a v12 create event has none), federation-only fields dropped.
 */
import { computeEventId, MatrixError, redactsOf } from "@dendrite-ts/protocol";
import type { PduJson } from "@dendrite-ts/roomserver";
import type { ClientRoomserver } from "./deps";

export interface ClientEvent {
  content: Record<string, unknown>;
  event_id: string;
  origin_server_ts: number;
  room_id: string;
  sender: string;
  state_key?: string;
  type: string;
  unsigned?: Record<string, unknown>;
}

/**
 * `redactedBecause`: redactions by the ID of the event they redacted (as the roomserver's state
 * queries return them); a redacted event gets its own in unsigned.redacted_because, which is how
 * clients tell it from an event sent empty (client-server API, "Redactions").
 */
export function toClientEvent(pdu: PduJson, roomId: string, roomVersion: string, redactedBecause: Readonly<Record<string, PduJson>> = {}): ClientEvent {
  const ev: ClientEvent = {
    content: (pdu.content as Record<string, unknown> | undefined) ?? {},
    event_id: computeEventId(pdu, roomVersion),
    origin_server_ts: Number(pdu.origin_server_ts ?? 0),
    room_id: roomId,
    sender: String(pdu.sender),
    type: String(pdu.type),
  };
  if (typeof pdu.state_key === "string") ev.state_key = pdu.state_key;
  if (pdu.unsigned && typeof pdu.unsigned === "object") ev.unsigned = pdu.unsigned as Record<string, unknown>;
  const redaction = Object.hasOwn(redactedBecause, ev.event_id) ? redactedBecause[ev.event_id] : undefined;
  if (redaction) ev.unsigned = { ...ev.unsigned, redacted_because: toClientEvent(redaction, roomId, roomVersion) };
  // Room versions 1–10 keep `redacts` at the top level of a redaction; from 11 it is in the
  // content. The spec asks servers to serve it in both places (rooms v11, "Event format"): at
  // the top level for older clients (matrix-js-sdk 37 still reads only that), in the content
  // for newer ones — the target the room version names, also over a `content.redacts` a v1–10
  // sender put there, which redacts nothing.
  const redacts = redactsOf(pdu, roomVersion);
  if (redacts !== undefined) {
    (ev as ClientEvent & { redacts?: string }).redacts = redacts;
    ev.content = { ...ev.content, redacts };
  }
  return ev;
}

/** Room versions never change, so each room's is asked for once. */
export function createRoomVersionCache(roomserver: Pick<ClientRoomserver, "queryLatestEventsAndState">) {
  const known = new Map<string, string>();
  return async (roomId: string): Promise<string> => {
    const cached = known.get(roomId);
    if (cached !== undefined) return cached;
    const { body } = await roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
    if (!body.roomExists || body.roomVersion === undefined) throw new MatrixError("M_NOT_FOUND", `Unknown room ${roomId}`);
    if (known.size > 50_000) known.clear();
    known.set(roomId, body.roomVersion);
    return body.roomVersion;
  };
}
export type RoomVersionOf = ReturnType<typeof createRoomVersionCache>;
