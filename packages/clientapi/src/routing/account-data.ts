/**
 * Client config (client-server API, "Client Config"): global and per-room account data, the
 * requester's own only. Types the server controls (m.fully_read, m.push_rules) are refused
 * with 405 M_BAD_JSON as the spec says. The body is the content stored and must be a JSON
 * object: none, or a JSON null, is a 400 and stores nothing.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, roomIdSchema, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { jsonObject, parseParams, parseRequiredBody } from "../validation";
import { clientRoute, requireSelf, type RouteContext } from "./context";
import { ok } from "../call";

const SERVER_CONTROLLED = new Set(["m.fully_read", "m.push_rules"]);
const typeSchema = z.string().min(1).max(255);
const globalParams = z.object({ userId: userIdSchema, type: typeSchema });
const roomParams = globalParams.extend({ roomId: roomIdSchema });

export function registerAccountDataRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const get = async (userId: string, roomId: string | null, type: string) => {
    const body = await ok(ctx.userapi.queryAccountData({ body: { userId, roomId, type } }));
    return body.content;
  };
  const put = async (userId: string, roomId: string | null, type: string, raw: unknown) => {
    const content = parseRequiredBody(jsonObject, raw);
    if (SERVER_CONTROLLED.has(type)) throw new MatrixError("M_BAD_JSON", `Cannot set ${type} through this API.`, {}, 405);
    await ctx.userapi.setAccountData({ body: { userId, roomId, type, content } });
    return {};
  };

  clientRoute(server, "GET", "/user/:userId/account_data/:type", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, type } = parseParams(globalParams, req.params);
    requireSelf(me.userId, userId, "get account data");
    return get(userId, null, type);
  });
  clientRoute(server, "PUT", "/user/:userId/account_data/:type", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, type } = parseParams(globalParams, req.params);
    requireSelf(me.userId, userId, "add account data");
    return put(userId, null, type, req.body);
  });
  clientRoute(server, "GET", "/user/:userId/rooms/:roomId/account_data/:type", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, roomId, type } = parseParams(roomParams, req.params);
    requireSelf(me.userId, userId, "get account data");
    return get(userId, roomId, type);
  });
  clientRoute(server, "PUT", "/user/:userId/rooms/:roomId/account_data/:type", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, roomId, type } = parseParams(roomParams, req.params);
    requireSelf(me.userId, userId, "add account data");
    return put(userId, roomId, type, req.body);
  });
}
