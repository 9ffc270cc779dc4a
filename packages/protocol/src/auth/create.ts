/**
 * Rule 1, `m.room.create`, and the v12 rule that ties every other event's room ID to it.
 */
import { getRoomVersion, type RoomVersionRules } from "../room-versions";
import { domainOf, eventContent, eventRoomId, eventSender, isValidUserId, prevEventCount } from "./event-fields";
import { reject } from "./not-allowed";

/** Rule 1. Returns normally when the create event is allowed. */
export function checkCreate(event: object, rules: RoomVersionRules): void {
  if (prevEventCount(event) > 0) reject("create.has_prev_events", "the create event has prev_events");

  const roomId = eventRoomId(event);
  if (rules.eventFormat.roomIdFromCreateEvent) {
    // v12: the room ID is derived from this event, so it cannot be part of it.
    if ((event as Record<string, unknown>).room_id !== undefined) reject("create.has_room_id", "the create event has a room_id");
  } else {
    const sender = eventSender(event);
    if (domainOf(roomId) === undefined || domainOf(roomId) !== domainOf(sender)) {
      reject("create.room_id_domain_mismatch", `room ${String(roomId)} is not on the sender's server`);
    }
  }

  const content = eventContent(event);
  if ("room_version" in content) {
    const v = content.room_version;
    if (typeof v !== "string" || getRoomVersion(v) === undefined) {
      reject("create.unknown_room_version", `room_version ${JSON.stringify(v)} is not recognised`);
    }
  }

  if (rules.authorization.creatorFromContent && !("creator" in content)) {
    reject("create.no_creator", "content has no creator");
  }

  if (rules.authorization.privilegedCreators && "additional_creators" in content) {
    const extra = content.additional_creators;
    if (!Array.isArray(extra) || !extra.every(isValidUserId)) {
      reject("create.invalid_additional_creators", "additional_creators is not an array of user IDs");
    }
  }
}

// `!` + unpadded URL-safe base64 of a SHA-256 reference hash.
const V12_ROOM_ID = /^![A-Za-z0-9_-]{43}$/;

/**
 * v12 rule 2: the room ID must be the create event's ID with `!` for `$`. The format is checked
 * here; the hash equality only when the caller can compute the create event's ID.
 */
export function checkRoomIdFromCreate(event: object, createEvent: object | undefined, createEventId: string | undefined): void {
  const roomId = eventRoomId(event);
  if (roomId === undefined || !V12_ROOM_ID.test(roomId)) {
    reject("room_id.not_create_event", `room ID ${String(roomId)} is not a create event's reference hash`);
  }
  if (createEvent === undefined) reject("auth_events.no_create", "the room's create event was not given");
  if (createEventId !== undefined && createEventId !== `$${roomId.slice(1)}`) {
    reject("room_id.not_create_event", `room ID ${roomId} does not match create event ${createEventId}`);
  }
}

/** The create event's ID when the event format lets us know it without hashing. */
export function knownCreateEventId(
  createEvent: object,
  roomId: string | undefined,
  rules: RoomVersionRules,
): string | undefined {
  // Only v1/v2 events carry a sender-chosen event_id; later ones must be hashed by the caller.
  const own = (createEvent as Record<string, unknown>).event_id;
  if (rules.eventFormat.eventIdFormat === "v1" && typeof own === "string") return own;
  if (rules.eventFormat.roomIdFromCreateEvent && roomId?.startsWith("!")) return `$${roomId.slice(1)}`;
  return undefined;
}
