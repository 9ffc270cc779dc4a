/**
 * Messages userapi publishes. `OutputClientData` carries account-data changes to syncapi.
 *
 * Delivery is at-least-once. Each message is published with `msgId` = `clientDataMsgId(msg)`,
 * unique per change, so the stream drops republishes and a consumer can also dedupe on it
 * (or on `streamPos`, which orders one user's changes and never repeats).
 */

import { z } from "zod";

/** Stream name. */
export const OUTPUT_CLIENT_DATA = "OutputClientData";

/** The stream: one subject per user, so one user's changes arrive in order and users run in parallel. */
export const outputClientDataStream = { name: OUTPUT_CLIENT_DATA, subjects: [`${OUTPUT_CLIENT_DATA}.*`] };

/** User IDs hold dots, which split NATS subject tokens: the subject carries it base64url-encoded. */
export function clientDataSubject(userId: string): string {
  return `${OUTPUT_CLIENT_DATA}.${Buffer.from(userId, "utf8").toString("base64url")}`;
}

export type OutputClientData = {
  kind: "account_data";
  userId: string;
  /** null for global account data. */
  roomId: string | null;
  /** Event type, e.g. `m.push_rules`, `m.direct`, `m.tag`, `m.fully_read`. */
  type: string;
  /** The new content, in full. */
  content: Record<string, unknown>;
  /** Position of this change in userapi's account-data stream (strictly increasing). */
  streamPos: number;
};

/** For consumers: parse what arrives (a wrong shape fails; fields added later are dropped). */
export const outputClientDataSchema: z.ZodType<OutputClientData> = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("account_data"),
    userId: z.string(),
    roomId: z.string().nullable(),
    type: z.string(),
    content: z.record(z.unknown()),
    streamPos: z.number(),
  }),
]);

export function clientDataMsgId(msg: OutputClientData): string {
  return `${msg.kind}:${msg.streamPos}`;
}

/** Stream name: users' unread counts in a room changed. */
export const OUTPUT_NOTIFICATION_DATA = "OutputNotificationData";

/**
 * One subject per room (the room ID base64url-encoded), so a room's count changes arrive in the
 * order they were decided; one message per event or receipt, however many users it changes.
 */
export const outputNotificationDataStream = { name: OUTPUT_NOTIFICATION_DATA, subjects: [`${OUTPUT_NOTIFICATION_DATA}.*`] };

export function notificationDataSubject(roomId: string): string {
  return `${OUTPUT_NOTIFICATION_DATA}.${Buffer.from(roomId, "utf8").toString("base64url")}`;
}

/** A user's unread notification counts in the room, in full (not a delta). */
export interface UnreadCounts {
  userId: string;
  notificationCount: number;
  highlightCount: number;
  /** Orders one (user, room)'s changes and never repeats: a consumer keeps the greatest. */
  streamPos: number;
}

/** The `unread_notifications` of a room in /sync changed for these users. */
export interface OutputNotificationData {
  roomId: string;
  /** At least one; each user at most once. */
  counts: UnreadCounts[];
}

export const outputNotificationDataSchema: z.ZodType<OutputNotificationData> = z.object({
  roomId: z.string(),
  counts: z
    .array(
      z.object({
        userId: z.string(),
        notificationCount: z.number().int().min(0),
        highlightCount: z.number().int().min(0),
        streamPos: z.number(),
      }),
    )
    .min(1),
});

/** Unique per message: stream positions never repeat. */
export function notificationDataMsgId(msg: OutputNotificationData): string {
  return `unread:${Math.min(...msg.counts.map((c) => c.streamPos))}`;
}
