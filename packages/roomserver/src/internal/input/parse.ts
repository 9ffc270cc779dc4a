/**
 * The shape checks an event must pass before anything else looks at it (server-server API,
 * "Checks performed on receipt of a PDU", step 1: a valid event for its room version). Fields
 * are read leniently elsewhere; here we insist on the ones the roomserver itself relies on.
 */
import type { BuiltHere } from "../context";
import { computeRoomIdFromCreateEvent, getRoomVersion, MatrixError, parseUntrustedPdu, type RoomVersionRules } from "@dendrite-ts/protocol";
import type { PduJson } from "../../api";

export interface ParsedEvent {
  readonly pdu: PduJson;
  readonly json: string;
  readonly eventId: string;
  readonly roomId: string;
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly sender: string;
  readonly depth: number;
  readonly originServerTs: number;
  readonly prevEventIds: string[];
  readonly authEventIds: string[];
  readonly rules: RoomVersionRules;
}

function bad(message: string): never {
  throw new MatrixError("M_BAD_JSON", message);
}

/** Event refs are IDs (v3+) or `[id, hashes]` pairs (v1, v2). */
function refIds(value: unknown, field: string, withHashes: boolean): string[] {
  if (!Array.isArray(value)) bad(`${field} must be an array`);
  return value.map((ref) => {
    const id = withHashes && Array.isArray(ref) ? ref[0] : ref;
    if (typeof id !== "string") bad(`${field} holds a malformed reference`);
    return id;
  });
}

/** The room version of an event's room: the create event says it; otherwise the caller knows. */
export function createEventRoomVersion(pdu: PduJson): string {
  const content = pdu.content as { room_version?: unknown } | undefined;
  return typeof content?.room_version === "string" ? content.room_version : "1";
}

/**
 * `builtHere`: the event ID and canonical JSON protocol's buildEvent gave this very object when
 * we built it — the builder already enforced the format and limits, so the untrusted-input
 * checks are skipped.
 */
export function parseEvent(pdu: PduJson, roomVersion: string, builtHere?: BuiltHere): ParsedEvent {
  const rules = getRoomVersion(roomVersion);
  if (!rules) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `room version ${roomVersion} is not supported`);
  let eventId: string;
  let json: string;
  if (builtHere !== undefined) {
    eventId = builtHere.eventId;
    json = builtHere.canonical;
  } else {
    // protocol checks JSON, canonical numbers, size limits and the version's event format.
    const parsed = parseUntrustedPdu(pdu, rules);
    if (!parsed.ok) throw parsed.error;
    eventId = parsed.eventId;
    json = parsed.canonical;
  }
  const { type, sender, depth, origin_server_ts: ts, state_key: stateKey } = pdu;
  if (typeof type !== "string") bad("type must be a string");
  if (typeof sender !== "string") bad("sender must be a user ID");
  if (typeof depth !== "number" || typeof ts !== "number") bad("depth and origin_server_ts must be integers");
  if (stateKey !== undefined && typeof stateKey !== "string") bad("state_key must be a string");
  const withHashes = rules.eventFormat.eventRefsWithHashes;
  const prevEventIds = refIds(pdu.prev_events, "prev_events", withHashes);
  const authEventIds = refIds(pdu.auth_events, "auth_events", withHashes);

  let roomId = pdu.room_id;
  if (type === "m.room.create" && stateKey === "" && rules.eventFormat.roomIdFromCreateEvent) {
    roomId = computeRoomIdFromCreateEvent(pdu, rules);
  }
  if (typeof roomId !== "string" || !roomId.startsWith("!")) bad("room_id must be a room ID");

  return { pdu, json, eventId, roomId, type, stateKey, sender, depth, originServerTs: ts, prevEventIds, authEventIds, rules };
}
