/**
 * Receipts and the read marker (receipts.yaml, read_markers.yaml; "Receipts", "Fully read
 * markers"): POST /rooms/{roomId}/receipt/{receiptType}/{eventId} and POST
 * /rooms/{roomId}/read_markers. `m.read` and `m.read.private` go to the eduserver as receipts;
 * `m.fully_read` is the user's room account data (userapi), which clients may not set directly.
 * The event must be one of the room's that the user can see (404 otherwise, as Synapse); a
 * `thread_id` must be a non-empty string, not given with m.fully_read, and not contradict the
 * event's own thread relation (400 M_INVALID_PARAM).
 */
import type { FastifyInstance } from "fastify";
import { eventIdSchema, MatrixError, roomIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { visibleEventOfRoom, type Pdu } from "./visible-event";
import { clientRoute, type RouteContext } from "./context";

const RECEIPT_TYPES = ["m.read", "m.read.private", "m.fully_read"] as const;
type MarkerType = (typeof RECEIPT_TYPES)[number];

const receiptParams = z.object({ roomId: roomIdSchema, receiptType: z.string(), eventId: eventIdSchema });
const receiptBody = z.object({ thread_id: z.unknown().optional() }).passthrough();
const markersParams = z.object({ roomId: roomIdSchema });
const markersBody = z.object({
  "m.fully_read": eventIdSchema.optional(),
  "m.read": eventIdSchema.optional(),
  "m.read.private": eventIdSchema.optional(),
});

/** The main timeline's thread ID (threading.md). */
const MAIN = "main";

export function registerReceiptRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/rooms/:roomId/receipt/:receiptType/:eventId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, receiptType, eventId } = parseParams(receiptParams, req.params);
    if (!(RECEIPT_TYPES as readonly string[]).includes(receiptType)) {
      throw new MatrixError("M_INVALID_PARAM", `Receipt type must be one of ${RECEIPT_TYPES.join(", ")}`);
    }
    const body = parseBody(receiptBody, req.body);
    let threadId: string | undefined;
    if (body.thread_id !== undefined) {
      if (typeof body.thread_id !== "string" || body.thread_id === "") throw new MatrixError("M_INVALID_PARAM", "thread_id field must be a non-empty string");
      if (receiptType === "m.fully_read") throw new MatrixError("M_INVALID_PARAM", "thread_id is not compatible with m.fully_read");
      threadId = body.thread_id;
    }
    const event = await visibleEventOfRoom(ctx, roomId, eventId, me.userId);
    if (threadId !== undefined) checkThread(event, threadId);
    await setMarker(ctx, me.userId, roomId, receiptType as MarkerType, eventId, threadId);
    return {};
  });

  clientRoute(server, "POST", "/rooms/:roomId/read_markers", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(markersParams, req.params);
    const body = parseBody(markersBody, req.body);
    const markers = RECEIPT_TYPES.flatMap((type) => (body[type] ? [{ type, eventId: body[type] }] : []));
    // Every event checked before anything is set: a bad one changes nothing.
    for (const m of markers) await visibleEventOfRoom(ctx, roomId, m.eventId, me.userId);
    for (const m of markers) await setMarker(ctx, me.userId, roomId, m.type, m.eventId, undefined);
    return {};
  });
}

async function setMarker(ctx: RouteContext, userId: string, roomId: string, type: MarkerType, eventId: string, threadId: string | undefined): Promise<void> {
  if (type === "m.fully_read") {
    await ctx.userapi.setAccountData({ body: { userId, roomId, type, content: { event_id: eventId } } });
  } else {
    await ctx.eduserver.performReceipt({ body: { roomId, userId, receiptType: type, eventId, ...(threadId !== undefined ? { threadId } : {}) } });
  }
}

/**
 * A thread ID that the event's own relation contradicts: "main" for a thread reply, or another
 * thread's root. Events further from a thread (a reaction to a reply) are let through.
 */
function checkThread(event: Pdu, threadId: string): void {
  const content = event.content;
  const rel = typeof content === "object" && content !== null ? (content as Pdu)["m.relates_to"] : undefined;
  const isThreadReply = typeof rel === "object" && rel !== null && (rel as Pdu).rel_type === "m.thread";
  const root = isThreadReply ? (rel as Pdu).event_id : undefined;
  if (threadId === MAIN ? isThreadReply : isThreadReply && root !== threadId) {
    throw new MatrixError("M_INVALID_PARAM", `The event is not related to thread ${threadId}`);
  }
}
