/**
 * Redactions, by either route a client may use: PUT /rooms/{roomId}/redact/{eventId}/{txnId},
 * and PUT /rooms/{roomId}/send/m.room.redaction/{txnId} with `redacts` in the content (spec
 * v1.18: servers must accept that for every room version). Both are idempotent like a send and
 * get the same checks (the roomserver's: own events, or the redact power level; never the
 * create event). Room versions 1–10 name the redacted event at the top level, 11+ in the content
 * (the room version's `redactsInContent`).
 */
import type { FastifyInstance } from "fastify";
import { eventIdSchema, getRoomVersion, MatrixError, roomIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { assertCanonicalValues } from "../canonical-values";
import { parseBody, parseParams } from "../validation";
import { refuseRedactionWhileSuspended } from "../suspension";
import { clientRoute, requireJoined, type RouteContext } from "./context";

const redactParams = z.object({ roomId: roomIdSchema, eventId: eventIdSchema, txnId: z.string().min(1).max(255) });

interface Sender {
  userId: string;
  deviceId: string;
}

/**
 * Sends a redaction of `eventId` with `content` (anything but `redacts`, which is placed here per
 * the room version), once per transaction.
 */
export function sendRedaction(
  ctx: RouteContext,
  me: Sender,
  endpoint: "send" | "redact",
  roomId: string,
  eventId: string,
  content: Record<string, unknown>,
  txnId: string,
): Promise<string> {
  return ctx.txns.once({ userId: me.userId, deviceId: me.deviceId, endpoint, roomId, eventType: "m.room.redaction", txnId }, async () => {
    ctx.rateLimit(`send:${me.userId}`);
    await requireJoined(ctx, roomId, me.userId);
    const version = getRoomVersion(await ctx.roomVersionOf(roomId));
    const inContent = version?.eventFormat.redactsInContent ?? true;
    const { redacts: _moved, ...rest } = content;
    const eventContent: Record<string, unknown> = inContent ? { ...rest, redacts: eventId } : rest;
    assertCanonicalValues(eventContent);
    const { body: sent } = await ctx.roomserver.performSendEvent({
      body: {
        sender: me.userId,
        roomId,
        type: "m.room.redaction",
        content: eventContent,
        ...(inContent ? {} : { redacts: eventId }),
        transactionId: { deviceId: me.deviceId, transactionId: txnId },
      },
    });
    return sent.eventId;
  });
}

/** The event a redaction sent through /send names in its content. */
export function redactsOfSendContent(content: Record<string, unknown>): string {
  const r = eventIdSchema.safeParse(content.redacts);
  if (!r.success) throw new MatrixError("M_BAD_JSON", "body.redacts: an m.room.redaction names the event ID it redacts");
  return r.data;
}

export function registerRedactRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/rooms/:roomId/redact/:eventId/:txnId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventId, txnId } = parseParams(redactParams, req.params);
    const body = parseBody(z.object({ reason: z.string().optional() }), req.body);
    const content = body.reason !== undefined ? { reason: body.reason } : {};
    await refuseRedactionWhileSuspended(ctx.roomserver, me, roomId, eventId);
    return { event_id: await sendRedaction(ctx, me, "redact", roomId, eventId, content, txnId) };
  });
}

