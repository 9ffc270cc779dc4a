/**
 * eduserver's internal API as a ts-rest contract: what clientapi (and later federationapi) call,
 * in-process in the monolith and over HTTP in the polylith. Callers have already checked that the
 * user may do it (their own typing, a room they are in, an event they can see); eduserver keeps
 * the ephemeral state and tells the streams. Every route is a POST with a JSON body.
 */
import { initContract } from "@ts-rest/core";
import type { ContractClient, ContractImpl } from "@dendrite-ts/runtime";
import { z } from "zod";
import { PRESENCE_STATES, RECEIPT_TYPES } from "./output";

const c = initContract();

const post = <B extends z.ZodTypeAny, R extends z.ZodTypeAny>(path: string, body: B, response: R, summary: string) =>
  ({ method: "POST", path: `/${path}`, body, responses: { 200: response }, summary }) as const;

export const performTypingSchema = z.object({
  roomId: z.string().min(1),
  userId: z.string().min(1),
  typing: z.boolean(),
  /** How long the user types unless renewed, ms; capped by the eduserver. Ignored when stopping. */
  timeoutMs: z.number().int().nonnegative().optional(),
});
export type PerformTypingRequest = z.input<typeof performTypingSchema>;

export const performReceiptSchema = z.object({
  roomId: z.string().min(1),
  userId: z.string().min(1),
  receiptType: z.enum(RECEIPT_TYPES),
  eventId: z.string().min(1),
  /** A thread root's event ID or "main"; absent for an unthreaded receipt. */
  threadId: z.string().min(1).optional(),
});
export type PerformReceiptRequest = z.input<typeof performReceiptSchema>;

export const performSendToDeviceSchema = z.object({
  sender: z.string().min(1),
  /** The sending device, with type and txnId: a retry of the same transaction names the same messages. */
  senderDeviceId: z.string().min(1),
  txnId: z.string().min(1),
  type: z.string().min(1),
  /** user ID → device ID or "*" (all the user's devices) → content. Local users only. */
  messages: z.record(z.record(z.record(z.unknown()))),
});
export type PerformSendToDeviceRequest = z.input<typeof performSendToDeviceSchema>;

export const performSetPresenceSchema = z.object({
  userId: z.string().min(1),
  presence: z.enum(PRESENCE_STATES),
  /** Replaces the status message; absent or null clears it. */
  statusMsg: z.string().nullable().optional(),
});
export type PerformSetPresenceRequest = z.input<typeof performSetPresenceSchema>;

export const performSyncPresenceSchema = z.object({
  userId: z.string().min(1),
  /** The /sync request's set_presence (online when the client gave none). */
  setPresence: z.enum(PRESENCE_STATES),
});

export const presenceViewSchema = z.object({
  presence: z.enum(PRESENCE_STATES),
  statusMsg: z.string().nullable(),
  lastActiveTs: z.number().nullable(),
  currentlyActive: z.boolean(),
});

export const eduserverContract = c.router(
  {
    performTyping: post(
      "typing/perform",
      performTypingSchema,
      z.object({}),
      "A user starts (for a capped timeout) or stops typing in a room; publishes OutputTypingEvent, and again when the timeout runs out.",
    ),
    performReceipt: post(
      "receipts/perform",
      performReceiptSchema,
      z.object({ ts: z.number() }),
      "A user's receipt of a type (and thread) moves to an event; publishes OutputReceiptEvent with the server's ts.",
    ),
    performSendToDevice: post(
      "send-to-device/perform",
      performSendToDeviceSchema,
      z.object({}),
      "A user sends to-device messages; publishes one OutputSendToDeviceEvent per (user, device or \"*\"), answered once the stream has them all.",
    ),
    performSetPresence: post(
      "presence/set",
      performSetPresenceSchema,
      z.object({}),
      "A user sets their presence and status message (PUT /presence); publishes OutputPresenceEvent when readers would see a change.",
    ),
    performSyncPresence: post(
      "presence/sync",
      performSyncPresenceSchema,
      z.object({}),
      "A user's /sync request: they are still around, and set_presence (unless offline) becomes their presence.",
    ),
    queryPresence: post("presence/query", z.object({ userId: z.string().min(1) }), presenceViewSchema, "A local user's presence now (offline when never seen)."),
  },
  { pathPrefix: "/_dendrite/eduserver/v1", strictStatusCodes: true },
);

export type EduserverContract = typeof eduserverContract;
/** What createEduserver returns: the contract's server side. */
export type EduserverApi = ContractImpl<EduserverContract>;
/** What callers hold, in-process or remote. */
export type EduserverClient = ContractClient<EduserverContract>;
/** clientapi: typing, receipts, to-device messages and presence for its own users. */
export type EduserverForClient = Pick<EduserverClient, "performTyping" | "performReceipt" | "performSendToDevice" | "performSetPresence" | "queryPresence">;
/** syncapi: each /sync request's set_presence. */
export type EduserverForSync = Pick<EduserverClient, "performSyncPresence">;
