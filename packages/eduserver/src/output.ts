/**
 * Messages eduserver publishes, for syncapi (and later federationsender). Typing and receipts carry one
 * subject per room (the room ID base64url-encoded: room IDs hold dots, which split NATS subject
 * tokens), so one room's changes arrive in order and rooms run in parallel.
 *
 * Delivery is at-least-once: consumers apply a typing change as "this user types until
 * expireTs" (or stops), which a repeat does not change, and keep one receipt per (room, type,
 * user, thread), which a repeat does not move. To-device messages (one subject per recipient
 * user) carry a messageId that a repeat shares.
 */
import { z } from "zod";

export const OUTPUT_TYPING_EVENT = "OutputTypingEvent";
export const OUTPUT_RECEIPT_EVENT = "OutputReceiptEvent";
export const OUTPUT_SEND_TO_DEVICE_EVENT = "OutputSendToDeviceEvent";
export const OUTPUT_PRESENCE_EVENT = "OutputPresenceEvent";

export const outputTypingEventStream = { name: OUTPUT_TYPING_EVENT, subjects: [`${OUTPUT_TYPING_EVENT}.*`] };
export const outputReceiptEventStream = { name: OUTPUT_RECEIPT_EVENT, subjects: [`${OUTPUT_RECEIPT_EVENT}.*`] };
export const outputSendToDeviceEventStream = { name: OUTPUT_SEND_TO_DEVICE_EVENT, subjects: [`${OUTPUT_SEND_TO_DEVICE_EVENT}.*`] };
export const outputPresenceEventStream = { name: OUTPUT_PRESENCE_EVENT, subjects: [`${OUTPUT_PRESENCE_EVENT}.*`] };

const roomToken = (roomId: string) => Buffer.from(roomId, "utf8").toString("base64url");
export const typingSubject = (roomId: string) => `${OUTPUT_TYPING_EVENT}.${roomToken(roomId)}`;
export const receiptSubject = (roomId: string) => `${OUTPUT_RECEIPT_EVENT}.${roomToken(roomId)}`;
/** To-device messages go one subject per recipient (user IDs hold dots too), so a user's arrive in order. */
export const sendToDeviceSubject = (userId: string) => `${OUTPUT_SEND_TO_DEVICE_EVENT}.${roomToken(userId)}`;
/** A user's presence changes in order: one subject per user. */
export const presenceSubject = (userId: string) => `${OUTPUT_PRESENCE_EVENT}.${roomToken(userId)}`;

/** A user started or stopped typing in a room (a timeout that ran out is a stop). */
export interface OutputTypingEvent {
  roomId: string;
  userId: string;
  typing: boolean;
  /** When typing: the instant (ms since the epoch) it ends unless renewed. Null when stopped. */
  expireTs: number | null;
}

export const outputTypingEventSchema: z.ZodType<OutputTypingEvent> = z.object({
  roomId: z.string(),
  userId: z.string(),
  typing: z.boolean(),
  expireTs: z.number().nullable(),
});

/** The receipt types a client may send (m.fully_read is room account data, not a receipt). */
export const RECEIPT_TYPES = ["m.read", "m.read.private"] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

/** A user's receipt moved to an event (client-server API, "Receipts"). */
export interface OutputReceiptEvent {
  roomId: string;
  userId: string;
  receiptType: ReceiptType;
  eventId: string;
  /** The thread (a root event ID, or "main"); null for an unthreaded receipt. */
  threadId: string | null;
  /** When the server received it, ms since the epoch: the receipt's `ts`. */
  ts: number;
}

export const outputReceiptEventSchema: z.ZodType<OutputReceiptEvent> = z.object({
  roomId: z.string(),
  userId: z.string(),
  receiptType: z.enum(RECEIPT_TYPES),
  eventId: z.string(),
  threadId: z.string().nullable(),
  ts: z.number(),
});

/**
 * A to-device message for one device of a local user (client-server API, "Send-to-Device
 * messaging"). `deviceId` "*" means every device the user has: the reader expands it (syncapi
 * asks userapi), so the list is the one when it is stored.
 */
export interface OutputSendToDeviceEvent {
  sender: string;
  userId: string;
  deviceId: string;
  type: string;
  content: Record<string, unknown>;
  /**
   * The same for a repeat of the same message (the sender's device and transaction ID, or a
   * stream redelivery): a reader stores a (device, messageId) once.
   */
  messageId: string;
}

export const outputSendToDeviceEventSchema: z.ZodType<OutputSendToDeviceEvent> = z.object({
  sender: z.string(),
  userId: z.string(),
  deviceId: z.string(),
  type: z.string(),
  content: z.record(z.unknown()),
  messageId: z.string(),
});

export const PRESENCE_STATES = ["online", "unavailable", "offline"] as const;
export type Presence = (typeof PRESENCE_STATES)[number];

/**
 * A local user's presence as readers should now show it (client-server API, "Presence"): sent
 * when the presence, the status message or currently_active changes. A repeat changes nothing.
 */
export interface OutputPresenceEvent {
  userId: string;
  presence: Presence;
  statusMsg: string | null;
  /** The last pro-active act, ms since the epoch; null when never active. */
  lastActiveTs: number | null;
  currentlyActive: boolean;
}

export const outputPresenceEventSchema: z.ZodType<OutputPresenceEvent> = z.object({
  userId: z.string(),
  presence: z.enum(PRESENCE_STATES),
  statusMsg: z.string().nullable(),
  lastActiveTs: z.number().nullable(),
  currentlyActive: z.boolean(),
});

/**
 * The content of m.presence (and of GET /presence/{userId}/status) for a presence as of `now`:
 * last_active_ago when known, status_msg when set, currently_active when online.
 */
export function presenceContent(p: Pick<OutputPresenceEvent, "presence" | "statusMsg" | "lastActiveTs" | "currentlyActive">, now: number): Record<string, unknown> {
  return {
    presence: p.presence,
    ...(p.lastActiveTs !== null ? { last_active_ago: Math.max(0, Math.floor(now) - p.lastActiveTs) } : {}),
    ...(p.statusMsg !== null ? { status_msg: p.statusMsg } : {}),
    ...(p.presence === "online" ? { currently_active: p.currentlyActive } : {}),
  };
}
