/**
 * Lenient reads of the few event fields state resolution needs. Events reach us as plain
 * objects (possibly from other servers), so every accessor tolerates missing or odd fields.
 */

export type Pdu = Readonly<Record<string, unknown>>;

export function eventType(ev: Pdu): string {
  return typeof ev.type === "string" ? ev.type : "";
}

/** The state key, or undefined for a message event. */
export function stateKeyOf(ev: Pdu): string | undefined {
  return typeof ev.state_key === "string" ? ev.state_key : undefined;
}

export function senderOf(ev: Pdu): string {
  return typeof ev.sender === "string" ? ev.sender : "";
}

export function originServerTs(ev: Pdu): number {
  return typeof ev.origin_server_ts === "number" ? ev.origin_server_ts : 0;
}

export function depthOf(ev: Pdu): number {
  return typeof ev.depth === "number" ? ev.depth : 0;
}

export function roomIdOf(ev: Pdu): string | undefined {
  return typeof ev.room_id === "string" ? ev.room_id : undefined;
}

export function contentOf(ev: Pdu): Readonly<Record<string, unknown>> {
  const c = ev.content;
  return c !== null && typeof c === "object" && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}

export function membershipOf(ev: Pdu): string | undefined {
  const m = contentOf(ev).membership;
  return typeof m === "string" ? m : undefined;
}

/**
 * `auth_events` as plain IDs. Room versions 1 and 2 list `[eventId, {sha256}]` pairs; later
 * versions list bare IDs. Both shapes are accepted so a mislabelled event cannot crash us.
 */
export function authEventIdsOf(ev: Pdu): string[] {
  const raw = ev.auth_events;
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const ref of raw) {
    if (typeof ref === "string") out.push(ref);
    else if (Array.isArray(ref) && typeof ref[0] === "string") out.push(ref[0]);
  }
  return out;
}

/** A collision-free string key for `(event_type, state_key)`: the type's length prefixes it. */
export function stateMapKey(type: string, stateKey: string): string {
  return `${type.length}:${type}${stateKey}`;
}

/** The state map key of a state event, or undefined for a message event. */
export function stateMapKeyOf(ev: Pdu): string | undefined {
  const sk = stateKeyOf(ev);
  return sk === undefined ? undefined : stateMapKey(eventType(ev), sk);
}

/** In room version 12 the room ID is the create event's ID with `!` in place of `$`. */
export function createEventIdFromRoomId(roomId: string): string | undefined {
  return roomId.startsWith("!") && !roomId.includes(":") ? `$${roomId.slice(1)}` : undefined;
}
