/**
 * PDU → the client event format (client-server API, "Room event format"): the fields clients
 * see, `unsigned` with what we know (age, prev_content, redacted_because, the viewer's
 * membership at the event) and the transaction ID for the sending device only.
 */
import { redactsOf } from "@dendrite-ts/protocol";
import type { StoredEvent } from "../storage";

export type ClientEvent = Record<string, unknown>;

/** Whom the event is shown to: decides unsigned.transaction_id, and whose events are hidden. */
export interface Viewer {
  userId: string;
  deviceId?: string;
  /** Users whose non-state events this viewer is not sent (m.ignored_user_list). */
  ignored?: ReadonlySet<string>;
  /** The viewer's membership at an event of the room being answered (unsigned.membership); see membership-at.ts. */
  membershipAt?: (ev: StoredEvent) => string;
}

/** A non-state event from a user the viewer ignores: not sent to them. */
export function isIgnored(viewer: Viewer, ev: { sender: string; stateKey: string | null }): boolean {
  return ev.stateKey === null && viewer.ignored !== undefined && viewer.ignored.has(ev.sender);
}

export function toClientEvent(ev: StoredEvent, viewer?: Viewer, now = Date.now()): ClientEvent {
  const pdu = ev.eventJson;
  const out: ClientEvent = {
    type: pdu.type,
    content: pdu.content ?? {},
    sender: pdu.sender,
    origin_server_ts: pdu.origin_server_ts,
    event_id: ev.eventId,
    room_id: ev.roomId,
  };
  if (typeof pdu.state_key === "string") out.state_key = pdu.state_key;
  copyRedacts(pdu, out, ev.roomVersion);
  const unsigned: Record<string, unknown> = { ...ev.unsignedExtra };
  if (typeof pdu.origin_server_ts === "number") unsigned.age = Math.max(0, now - pdu.origin_server_ts);
  if (ev.redactedBecause) unsigned.redacted_because = withAge(ev.redactedBecause, now);
  if (viewer && ev.txnId && ev.sender === viewer.userId && ev.txnDeviceId === viewer.deviceId) {
    unsigned.transaction_id = ev.txnId;
  }
  if (viewer?.membershipAt) unsigned.membership = viewer.membershipAt(ev);
  out.unsigned = unsigned;
  return out;
}

/**
 * The redaction as stored (without an age, which would be stale) with its age now: it is an
 * event like any other in the client format (ClientEvent's unsigned.redacted_because).
 */
function withAge(redaction: Record<string, unknown>, now: number): Record<string, unknown> {
  const ts = redaction.origin_server_ts;
  if (typeof ts !== "number") return redaction;
  return { ...redaction, unsigned: { ...(redaction.unsigned as Record<string, unknown> | undefined), age: Math.max(0, now - ts) } };
}

/**
 * /sync's events leave out room_id, which the room's section already says
 * (ClientEventWithoutRoomID), and so does every event carried inside one: the redaction in
 * unsigned.redacted_because and the bundled aggregations' events.
 */
export function withoutRoomId(ev: ClientEvent): ClientEvent {
  const { room_id: _roomId, ...rest } = ev;
  const unsigned = rest.unsigned as Record<string, unknown> | undefined;
  if (!unsigned) return rest;
  const out: Record<string, unknown> = { ...unsigned };
  if (isObject(unsigned.redacted_because)) out.redacted_because = withoutRoomId(unsigned.redacted_because);
  const relations = unsigned["m.relations"];
  if (isObject(relations)) {
    const bundled: Record<string, unknown> = { ...relations };
    if (isObject(relations["m.replace"])) bundled["m.replace"] = withoutRoomId(relations["m.replace"]);
    const thread = relations["m.thread"];
    if (isObject(thread) && isObject(thread.latest_event)) bundled["m.thread"] = { ...thread, latest_event: withoutRoomId(thread.latest_event) };
    out["m.relations"] = bundled;
  }
  return { ...rest, unsigned: out };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A filter's `event_format` (sync_filter.yaml): the client format, or the event as federation carries it. */
export type EventFormat = "client" | "federation";

/**
 * A /sync event in the filter's format. `client`: without room_id (withoutRoomId).
 * `federation`: the PDU as we hold it (auth_events, prev_events, depth, hashes, signatures;
 * redacted form once redacted) with its ID and the same `unsigned` the client format has.
 */
export function formatEvent(ev: StoredEvent, viewer: Viewer | undefined, format: EventFormat | undefined): ClientEvent {
  const client = toClientEvent(ev, viewer);
  return format === "federation" ? { ...ev.eventJson, event_id: ev.eventId, unsigned: client.unsigned } : withoutRoomId(client);
}

/** A PDU not (yet) stored here, e.g. a redaction carried by redacted_event. */
export function pduToClientEvent(pdu: Record<string, unknown>, eventId: string, roomVersion: string): ClientEvent {
  const out: ClientEvent = {
    type: pdu.type,
    content: pdu.content ?? {},
    sender: pdu.sender,
    origin_server_ts: pdu.origin_server_ts,
    event_id: eventId,
    room_id: pdu.room_id,
    unsigned: {},
  };
  if (typeof pdu.state_key === "string") out.state_key = pdu.state_key;
  copyRedacts(pdu, out, roomVersion);
  return out;
}

/**
 * A redaction names its target in both places clients look (rooms v11, "Event format"): at the
 * top level for older clients and in the content for newer ones — the target its room version
 * names (redactsOf), also over a `content.redacts` a v1–10 sender put there, which redacts nothing.
 */
function copyRedacts(pdu: Record<string, unknown>, out: ClientEvent, roomVersion: string): void {
  const redacts = redactsOf(pdu, roomVersion);
  if (redacts === undefined) return;
  out.redacts = redacts;
  const content = out.content;
  if (typeof content === "object" && content !== null && !Array.isArray(content)) out.content = { ...content, redacts };
}

/** Stripped state (invite_state): type, state_key, sender, content only. */
export function strippedEvent(pdu: Record<string, unknown>): Record<string, unknown> {
  return { type: pdu.type, state_key: pdu.state_key, sender: pdu.sender, content: pdu.content ?? {} };
}
