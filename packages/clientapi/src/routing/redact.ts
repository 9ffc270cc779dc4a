/**
 * PUT /rooms/{roomId}/redact/{eventId}/{txnId}: a redaction, idempotent like a send. Room
 * versions 1–10 name the redacted event at the top level, 11+ in the content (the same
 * version flag that keeps `content.redacts` through redaction).
 */
import type { FastifyInstance } from "fastify";
import { eventIdSchema, getRoomVersion, roomIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { clientRoute, requireJoined, type RouteContext } from "./context";

const redactParams = z.object({ roomId: roomIdSchema, eventId: eventIdSchema, txnId: z.string().min(1).max(255) });

export function registerRedactRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/rooms/:roomId/redact/:eventId/:txnId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventId, txnId } = parseParams(redactParams, req.params);
    const body = parseBody(z.object({ reason: z.string().optional() }), req.body);
    const redactionId = await ctx.txns.once({ userId: me.userId, deviceId: me.deviceId, endpoint: "redact", roomId, eventType: "m.room.redaction", txnId }, async () => {
      ctx.rateLimit(`send:${me.userId}`);
      await requireJoined(ctx, roomId, me.userId);
      const version = getRoomVersion(await ctx.roomVersionOf(roomId));
      const inContent = version?.redaction.keepRedactionRedacts ?? true;
      const content: Record<string, unknown> = body.reason !== undefined ? { reason: body.reason } : {};
      if (inContent) content.redacts = eventId;
      const { body: sent } = await ctx.roomserver.performSendEvent({
        body: {
          sender: me.userId,
          roomId,
          type: "m.room.redaction",
          content,
          ...(inContent ? {} : { redacts: eventId }),
          transactionId: { deviceId: me.deviceId, transactionId: txnId },
        },
      });
      return sent.eventId;
    });
    return { event_id: redactionId };
  });
}
