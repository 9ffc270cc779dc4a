/**
 * Event IDs per room version (rooms v1 "Event IDs", v3 and v4 "Event IDs") and the v12 room ID
 * (appendices "Room IDs": the create event's event ID with `!` for `$`).
 */
import { encodeBase64 } from "./base64";
import type { EventId } from "./ids/event-id";
import { parseEventId } from "./ids/event-id";
import type { RoomId } from "./ids/room-id";
import { sha256 } from "./content-hash";
import { computeReferenceHash } from "./reference-hash";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";

/**
 * The event ID of `event`: in v1/v2 the `event_id` the sender put on it (checked for shape);
 * in v3 `$` + standard base64 of the reference hash; from v4 URL-safe base64.
 */
export function computeEventId(event: object, roomVersion: RoomVersionInput): EventId {
  const rules = roomVersionRules(roomVersion);
  switch (rules.eventFormat.eventIdFormat) {
    case "v1": {
      const id = (event as { event_id?: unknown }).event_id;
      if (typeof id !== "string") throw new TypeError("A room version 1/2 event carries its own event_id");
      return parseEventId(id, "v1");
    }
    case "v3":
      return `$${encodeBase64(computeReferenceHash(event, rules))}` as EventId;
    case "v4":
      return `$${encodeBase64(computeReferenceHash(event, rules), { urlSafe: true })}` as EventId;
  }
}

/** v12: the room ID a create event makes, `!` + its URL-safe reference hash. */
/**
 * A v3+ event ID from the bytes its reference hash covers (the canonical JSON of the redacted
 * event without `signatures` and `unsigned`), when the caller has them already (a new event:
 * they are the bytes it signed). v1/v2 events carry their ID instead.
 */
export function eventIdFromReferenceBytes(bytes: Uint8Array, roomVersion: RoomVersionInput): EventId {
  const rules = roomVersionRules(roomVersion);
  const format = rules.eventFormat.eventIdFormat;
  if (format === "v1") throw new TypeError("A room version 1/2 event ID is chosen, not hashed");
  return `$${encodeBase64(sha256(bytes), { urlSafe: format === "v4" })}` as EventId;
}

export function computeRoomIdFromCreateEvent(createEvent: object, roomVersion: RoomVersionInput = "12"): RoomId {
  const rules = roomVersionRules(roomVersion);
  if (!rules.eventFormat.roomIdFromCreateEvent) {
    throw new RangeError(`Room version ${rules.id} does not derive room IDs from the create event`);
  }
  return `!${encodeBase64(computeReferenceHash(createEvent, rules), { urlSafe: true })}` as RoomId;
}
