/**
 * PUT /rooms/{roomId}/typing/{userId} (typing.yaml, "Typing Notifications"): a user says they
 * are typing (for `timeout` ms) or stopped. Only for themselves (403 otherwise) and only in a
 * room they are joined to (403, as Synapse); the eduserver keeps the state, caps the timeout
 * and ends it when it runs out.
 */
import type { FastifyInstance } from "fastify";
import { roomIdSchema, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseParams, parseRequiredBody } from "../validation";
import { clientRoute, requireJoined, requireSelf, type RouteContext } from "./context";

const params = z.object({ roomId: roomIdSchema, userId: userIdSchema });
const body = z.object({
  typing: z.boolean(),
  timeout: z.number().int().nonnegative().optional(),
});

export function registerTypingRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/rooms/:roomId/typing/:userId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, userId } = parseParams(params, req.params);
    requireSelf(me.userId, userId, "set typing notifications");
    const { typing, timeout } = parseRequiredBody(body, req.body);
    await requireJoined(ctx, roomId, me.userId);
    await ctx.eduserver.performTyping({ body: { roomId, userId, typing, ...(timeout !== undefined ? { timeoutMs: timeout } : {}) } });
    return {};
  });
}
