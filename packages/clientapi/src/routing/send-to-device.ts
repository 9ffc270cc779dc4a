/**
 * PUT /sendToDevice/{eventType}/{txnId} (to_device.yaml, "Send-to-Device messaging"): messages
 * to particular devices (a device ID, or "*" for all of a user's), which each reaches in its
 * /sync `to_device` once. The eduserver publishes them; syncapi keeps them until the device has
 * them.
 *
 * Idempotent per device and transaction ID: the transaction store answers a retry this process
 * completed without sending again, and the messages carry an ID derived from (sender, device,
 * txnId), which syncapi stores once per device — so a retry after a restart is delivered once too.
 */
import type { FastifyInstance } from "fastify";
import { isValidUserId, MatrixError, parseUserId, userIdServerName } from "@dendrite-ts/protocol";
import { z } from "zod";
import { jsonObject, parseParams, parseRequiredBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

const params = z.object({
  eventType: z.string().min(1).max(255),
  txnId: z.string().min(1).max(255),
});
const body = z.object({ messages: z.record(z.record(jsonObject)) });

/** Devices (a "*" counts as one) one request may name: room keys for a large room fit easily. */
export const MAX_TO_DEVICE_TARGETS = 10_000;

export function registerSendToDeviceRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/sendToDevice/:eventType/:txnId", async (req) => {
    const me = await ctx.authenticate(req);
    const { eventType, txnId } = parseParams(params, req.params);
    const { messages } = parseRequiredBody(body, req.body);
    const local: typeof messages = {};
    let targets = 0;
    for (const [userId, devices] of Object.entries(messages)) {
      if (!isValidUserId(userId)) throw new MatrixError("M_INVALID_PARAM", `body.messages: ${JSON.stringify(userId)} is not a user ID`);
      for (const deviceId of Object.keys(devices)) {
        if (deviceId === "") throw new MatrixError("M_INVALID_PARAM", `body.messages.${userId}: a device ID cannot be empty`);
      }
      targets += Object.keys(devices).length;
      // Remote users' messages would go out as m.direct_to_device EDUs: federation is not built
      // yet, so they are left out (the request still succeeds, as for a device that is gone).
      if (userIdServerName(parseUserId(userId)) === ctx.serverName) local[userId] = devices;
    }
    if (targets > MAX_TO_DEVICE_TARGETS) throw new MatrixError("M_TOO_LARGE", `body.messages: more than ${MAX_TO_DEVICE_TARGETS} devices`);
    await ctx.txns.once({ userId: me.userId, deviceId: me.deviceId, endpoint: "sendToDevice", roomId: "", eventType, txnId }, async () => {
      await ctx.eduserver.performSendToDevice({
        body: { sender: me.userId, senderDeviceId: me.deviceId, txnId, type: eventType, messages: local },
      });
      return "";
    });
    return {};
  });
}
