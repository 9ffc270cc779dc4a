/**
 * Building a new event of ours: the PDU in the room version's format, hashed and signed, with
 * its event ID. Inputs are checked (IDs, room ID presence, size limits) so we never emit an event
 * another server would drop.
 */
import { randomBytes } from "node:crypto";
import { encodeBase64 } from "./base64";
import { canonicalJson } from "./canonical-json";
import { MatrixError } from "./errors";
import { computeEventId, eventIdFromReferenceBytes } from "./event-id";
import { parseEventId, type EventId } from "./ids/event-id";
import { parseRoomId } from "./ids/room-id";
import { parseServerName } from "./ids/server-name";
import { parseUserId } from "./ids/user-id";
import { checkPduSizeLimits } from "./pdu/size-limits";
import type { EventReferenceV1, Pdu } from "./pdu/types";
import { computeReferenceHash } from "./reference-hash";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";
import { hashAndSignWithBytes } from "./sign-event";
import type { SigningKey } from "./signing-key";

/** An event another one points at: its ID and, for room versions 1–2, its reference hash. */
export interface EventReference {
  readonly eventId: string;
  /** Unpadded base64 reference hash; needed only in room versions 1 and 2. */
  readonly sha256?: string;
}

/** The reference other events use for `event` (ID, plus the reference hash v1/v2 need). */
export function eventReference(event: object, roomVersion: RoomVersionInput): EventReference {
  const rules = roomVersionRules(roomVersion);
  return { eventId: computeEventId(event, rules), sha256: encodeBase64(computeReferenceHash(event, rules)) };
}

export interface BuildEventInput {
  readonly roomVersion: RoomVersionInput;
  /** Omit only for a room version 12 `m.room.create` event. */
  readonly roomId?: string;
  readonly sender: string;
  readonly type: string;
  /** Present for state events (may be ""). */
  readonly stateKey?: string;
  readonly content: Record<string, unknown>;
  readonly prevEvents: readonly (string | EventReference)[];
  readonly authEvents: readonly (string | EventReference)[];
  readonly depth: number;
  /** Defaults to now. */
  readonly originServerTs?: number;
  /** v1–10 only: the top-level `redacts` of an `m.room.redaction` (v11+ puts it in content). */
  readonly redacts?: string;
  readonly serverName: string;
  readonly key: SigningKey;
}

export interface BuiltEvent {
  readonly eventId: EventId;
  readonly pdu: Pdu;
  /** The PDU's canonical JSON (encoded for the size check; the form it is stored and sent in). */
  readonly canonical: string;
}

function bad(message: string, field: string): MatrixError {
  return new MatrixError("M_BAD_JSON", message, { field });
}

function checkId(parse: () => unknown, field: string): void {
  try {
    parse();
  } catch (e) {
    throw bad(e instanceof Error ? e.message : `Invalid ${field}`, field);
  }
}

function refsV1(refs: readonly (string | EventReference)[], field: string): EventReferenceV1[] {
  return refs.map((ref) => {
    if (typeof ref === "string" || ref.sha256 === undefined) {
      throw bad(`Room versions 1 and 2 need the reference hash of each event in ${field}`, field);
    }
    return [ref.eventId, { sha256: ref.sha256 }];
  });
}

const refIds = (refs: readonly (string | EventReference)[]): string[] =>
  refs.map((ref) => (typeof ref === "string" ? ref : ref.eventId));

/** Builds, hashes and signs a new PDU. Throws a MatrixError (`M_BAD_JSON`, `M_TOO_LARGE`) for bad input. */
export function buildEvent(input: BuildEventInput): BuiltEvent {
  const rules = roomVersionRules(input.roomVersion);
  checkId(() => parseUserId(input.sender), "sender");
  checkId(() => parseServerName(input.serverName), "origin");
  const isV12Create = rules.eventFormat.roomIdFromCreateEvent && input.type === "m.room.create";
  if (isV12Create && input.roomId !== undefined) throw bad("A room version 12 create event has no room_id", "room_id");
  if (!isV12Create && input.roomId === undefined) throw bad("room_id is required", "room_id");
  if (input.roomId !== undefined) checkId(() => parseRoomId(input.roomId!), "room_id");
  if (!Number.isSafeInteger(input.depth) || input.depth < 0) throw bad("depth must be a non-negative integer", "depth");

  const common = {
    type: input.type,
    ...(input.roomId !== undefined ? { room_id: input.roomId } : {}),
    sender: input.sender,
    ...(input.stateKey !== undefined ? { state_key: input.stateKey } : {}),
    content: input.content,
    depth: input.depth,
    origin_server_ts: input.originServerTs ?? Date.now(),
    ...(input.redacts !== undefined && !rules.eventFormat.redactsInContent ? { redacts: input.redacts } : {}),
  };

  let unsigned: object;
  if (rules.eventFormat.eventIdFormat === "v1") {
    // v1/v2: we choose the event ID, `$opaque:our.server`.
    const eventId = parseEventId(`$${encodeBase64(randomBytes(18), { urlSafe: true })}:${input.serverName}`, "v1");
    unsigned = {
      ...common,
      event_id: eventId,
      auth_events: refsV1(input.authEvents, "auth_events"),
      prev_events: refsV1(input.prevEvents, "prev_events"),
    };
  } else {
    unsigned = { ...common, auth_events: refIds(input.authEvents), prev_events: refIds(input.prevEvents) };
  }

  const signed = hashAndSignWithBytes(unsigned, rules, input.serverName, input.key);
  const pdu = signed.event as unknown as Pdu;
  const canonical = canonicalJson(pdu);
  const violation = checkPduSizeLimits(pdu, Buffer.byteLength(canonical, "utf8"));
  if (violation !== undefined) {
    const what = violation.field === "" ? "event" : violation.field;
    throw new MatrixError("M_TOO_LARGE", `${what} is ${violation.bytes} bytes, over ${violation.limit}`, { field: violation.field });
  }
  // v3+: the reference hash covers exactly the bytes just signed.
  const eventId = rules.eventFormat.eventIdFormat === "v1" ? computeEventId(pdu, rules) : eventIdFromReferenceBytes(signed.signedBytes, rules);
  return { eventId, pdu, canonical };
}
