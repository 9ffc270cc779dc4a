/**
 * Messages the roomserver publishes on the `OutputRoomEvent` stream (subject
 * `OutputRoomEvent.<roomId>`, per-room order). Consumers switch on `kind` with an
 * exhaustiveness check and stay idempotent by event ID: delivery is at least once.
 *
 * Redaction contract: `redacted_event` arrives once a redaction is validated against the
 * event it redacts (which may be later than the redaction itself); consumers replace their copy
 * with the redacted form themselves, the redaction event also arrives as a new_room_event.
 * A redaction valid when it arrives: its redacted_event comes first, in the same commit, so a
 * consumer that holds the redaction has applied it; one whose target arrives later: after the
 * target's new_room_event.
 */
import type { PduJson } from "./api";

export const OUTPUT_ROOM_EVENT_STREAM = "OutputRoomEvent";
export const INPUT_ROOM_EVENT_STREAM = "InputRoomEvent";

export interface NewRoomEventOutput {
  kind: "new_room_event";
  roomId: string;
  roomVersion: string;
  event: PduJson;
  eventId: string;
  /** State events that became current with this event (IDs). */
  addsStateEventIds: string[];
  /** State events that stopped being current (IDs). */
  removesStateEventIds: string[];
  /** How the state before this event differs from the current state before it arrived, as
   * event IDs to add and remove: syncapi uses it to show the timeline's state correctly. */
  stateBeforeAddsEventIds: string[];
  stateBeforeRemovesEventIds: string[];
  /** The room's forward extremities after this event. */
  latestEventIds: string[];
  /** Set when we should federate the event as this server. */
  sendAsServer?: string;
  /** The client transaction that produced it. */
  transactionId?: { deviceId: string; transactionId: string };
  /** Soft-failed events are stored but must not reach clients. */
  softFailed?: boolean;
}

export interface OldRoomEventOutput {
  kind: "old_room_event";
  roomId: string;
  roomVersion: string;
  event: PduJson;
  eventId: string;
}

export interface NewInviteOutput {
  kind: "new_invite";
  roomId: string;
  roomVersion: string;
  event: PduJson;
  eventId: string;
  /** The invited user. */
  targetUserId: string;
}

export interface RetireInviteOutput {
  kind: "retire_invite";
  roomId: string;
  /** The invite that is no longer pending. */
  eventId: string;
  targetUserId: string;
  /** The membership event that ended it (join, leave, ban …). */
  retiredByEventId: string;
  membership: string;
}

export interface RedactedEventOutput {
  kind: "redacted_event";
  roomId: string;
  redactedEventId: string;
  redactedBecause: PduJson;
}

export interface PurgeRoomOutput {
  kind: "purge_room";
  roomId: string;
}

export type OutputRoomEvent =
  | NewRoomEventOutput
  | OldRoomEventOutput
  | NewInviteOutput
  | RetireInviteOutput
  | RedactedEventOutput
  | PurgeRoomOutput;

export type OutputRoomEventKind = OutputRoomEvent["kind"];

/** Room IDs may hold `.`, `*` or `>`, which mean something in a subject: escape them. */
export function roomSubjectToken(roomId: string): string {
  return roomId.replace(/[.*>%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Subject of a room's outputs: per-room order is what consumers rely on. */
export function outputSubject(roomId: string): string {
  return `${OUTPUT_ROOM_EVENT_STREAM}.${roomSubjectToken(roomId)}`;
}

/** Subject of a room's input events. */
export function inputSubject(roomId: string): string {
  return `${INPUT_ROOM_EVENT_STREAM}.${roomSubjectToken(roomId)}`;
}
