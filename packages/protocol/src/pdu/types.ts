/**
 * The PDU shapes we build (rooms "Event format"; server-server `pdu_v1`, `pdu_v3`, `pdu_v4`,
 * `pdu_v11`, `pdu_v12`). Strict on purpose: received events are read through the lenient
 * `parseUntrustedPdu` result instead (EXAMPLES.md §4).
 */
import type { Signatures } from "../signing";

/** `hashes`: the content hash, unpadded base64. */
export interface EventHashes {
  sha256: string;
  [algorithm: string]: string;
}

/** Room versions 1 and 2 reference other events as `[eventId, { sha256: referenceHash }]`. */
export type EventReferenceV1 = [eventId: string, hashes: { sha256: string }];

interface PduCommon {
  type: string;
  /** Absent only on a room version 12 `m.room.create` event. */
  room_id?: string;
  sender: string;
  state_key?: string;
  content: Record<string, unknown>;
  depth: number;
  origin_server_ts: number;
  hashes: EventHashes;
  signatures: Signatures;
  /** v1–10: top-level on `m.room.redaction`; v11+ moved to `content.redacts`. */
  redacts?: string;
  unsigned?: Record<string, unknown>;
}

/** Room versions 1–2: the sender chooses `event_id`; references carry reference hashes. */
export interface PduV1 extends PduCommon {
  event_id: string;
  room_id: string;
  auth_events: EventReferenceV1[];
  prev_events: EventReferenceV1[];
}

/** Room versions 3+: the event ID is derived from the event, references are bare event IDs. */
export interface PduV3 extends PduCommon {
  auth_events: string[];
  prev_events: string[];
}

export type Pdu = PduV1 | PduV3;
