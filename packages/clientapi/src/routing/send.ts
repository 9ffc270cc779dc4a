/**
 * PUT /rooms/{roomId}/send/{eventType}/{txnId}: a message event, idempotent per device and
 * transaction ID (the roomserver records it with the event; see transactions.ts). The
 * transaction ID also rides on the event's output so the sender's /sync can echo it.
 * An m.room.redaction sent here goes the way PUT /redact sends one (redact.ts).
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, roomIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { assertCanonicalValues } from "../canonical-values";
import { jsonObject, parseParams, parseRequiredBody } from "../validation";
import { asMember, clientRoute, type RouteContext } from "./context";
import { redactsOfSendContent, sendRedaction } from "./redact";
import { assertRelationTargetAllowed } from "./relation-target";
import { refuseRedactionWhileSuspended, refuseWhileSuspended } from "../suspension";

const sendParams = z.object({
  roomId: roomIdSchema,
  // No length cap here: the event's build measures the type in bytes, 413 M_TOO_LARGE.
  eventType: z.string().min(1),
  txnId: z.string().min(1).max(255),
});

export function registerSendRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/rooms/:roomId/send/:eventType/:txnId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventType, txnId } = parseParams(sendParams, req.params);
    // Only createRoom makes a create event; any other can only fail, and from room version 12
    // the failure (a create event without room_id) tells the client nothing.
    if (eventType === "m.room.create") throw new MatrixError("M_INVALID_PARAM", "path.eventType: m.room.create cannot be sent to an existing room");
    // The body is the event's content: none at all is not an empty content.
    const content = parseRequiredBody(jsonObject, req.body);
    if (eventType === "m.room.redaction") {
      const redacts = redactsOfSendContent(content);
      await refuseRedactionWhileSuspended(ctx.roomserver, me, roomId, redacts);
      return { event_id: await sendRedaction(ctx, me, "send", roomId, redacts, content, txnId) };
    }
    refuseWhileSuspended(me);
    const eventId = await ctx.txns.once({ userId: me.userId, deviceId: me.deviceId, endpoint: "send", roomId, eventType, txnId }, async () => {
      ctx.rateLimit(`send:${me.userId}`);
      assertCanonicalValues(content);
      await assertRelationTargetAllowed(ctx.roomserver, roomId, content);
      const sent = ctx.roomserver.performSendEvent({
        body: { sender: me.userId, roomId, type: eventType, content, transactionId: { deviceId: me.deviceId, transactionId: txnId } },
      });
      return (await asMember(roomId, me.userId, sent)).body.eventId;
    });
    return { event_id: eventId };
  });
}
