/**
 * Room tagging (client-server API, "Room Tagging"): a room's tags are its m.tag account data,
 * kept by userapi. The requester's own only. A tag's body is required and must be a JSON
 * object (`{}` for a tag without an order).
 */
import type { FastifyInstance } from "fastify";
import { roomIdSchema, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseParams, parseRequiredBody } from "../validation";
import { clientRoute, requireSelf, type RouteContext } from "./context";

const roomParams = z.object({ userId: userIdSchema, roomId: roomIdSchema });
const tagParams = roomParams.extend({ tag: z.string().min(1).max(255) });
/** `order` is a number in [0, 1] when present; other keys pass through. */
const tagBody = z.object({ order: z.number().min(0).max(1).optional() }).passthrough();

export function registerTagRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/user/:userId/rooms/:roomId/tags", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, roomId } = parseParams(roomParams, req.params);
    requireSelf(me.userId, userId, "get tags");
    return (await ctx.userapi.queryTags({ body: { userId, roomId } })).body;
  });
  clientRoute(server, "PUT", "/user/:userId/rooms/:roomId/tags/:tag", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, roomId, tag } = parseParams(tagParams, req.params);
    requireSelf(me.userId, userId, "add tags");
    const content = parseRequiredBody(tagBody, req.body);
    await ctx.userapi.setTag({ body: { userId, roomId, tag, content } });
    return {};
  });
  clientRoute(server, "DELETE", "/user/:userId/rooms/:roomId/tags/:tag", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, roomId, tag } = parseParams(tagParams, req.params);
    requireSelf(me.userId, userId, "delete tags");
    await ctx.userapi.deleteTag({ body: { userId, roomId, tag } });
    return {};
  });
}
