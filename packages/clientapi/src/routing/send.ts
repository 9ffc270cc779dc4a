/**
 * PUT /rooms/{roomId}/send/{eventType}/{txnId}: a message event, idempotent per device and
 * transaction ID (the roomserver records it with the event; see transactions.ts). The
 * transaction ID also rides on the event's output so the sender's /sync can echo it.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, roomIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { assertCanonicalValues } from "../canonical-values";
import { jsonObject, parseBody, parseParams } from "../validation";
import { asMember, clientRoute, type RouteContext } from "./context";

const sendParams = z.object({
  roomId: roomIdSchema,
  eventType: z.string().min(1).max(255),
  txnId: z.string().min(1).max(255),
});

/** State events go through PUT /state; a redaction through PUT /redact (its checks live there). */
const NOT_VIA_SEND = new Set(["m.room.redaction"]);

export function registerSendRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/rooms/:roomId/send/:eventType/:txnId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventType, txnId } = parseParams(sendParams, req.params);
    const content = parseBody(jsonObject, req.body);
    const eventId = await ctx.txns.once({ userId: me.userId, deviceId: me.deviceId, endpoint: "send", roomId, eventType, txnId }, async () => {
      ctx.rateLimit(`send:${me.userId}`);
      if (NOT_VIA_SEND.has(eventType)) throw new MatrixError("M_BAD_JSON", `Send ${eventType} through its own endpoint`);
      assertCanonicalValues(content);
      const sent = ctx.roomserver.performSendEvent({
        body: { sender: me.userId, roomId, type: eventType, content, transactionId: { deviceId: me.deviceId, transactionId: txnId } },
      });
      return (await asMember(roomId, me.userId, sent)).body.eventId;
    });
    return { event_id: eventId };
  });
}
