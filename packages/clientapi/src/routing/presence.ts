/**
 * PUT and GET /presence/{userId}/status (presence.yaml, "Presence"). A user sets only their own
 * (403 otherwise); anyone may read the presence of a user they share a room with, or their own
 * — the spec's "presence is published to all users who share a room"; anyone else gets 403, as
 * Synapse answers. The eduserver keeps the state and its timeouts. Local users only until
 * federation brings remote presence.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, userIdSchema } from "@dendrite-ts/protocol";
import { PRESENCE_STATES, presenceContent } from "@dendrite-ts/eduserver";
import { z } from "zod";
import { parseParams, parseRequiredBody } from "../validation";
import { clientRoute, requireSelf, type RouteContext } from "./context";

const params = z.object({ userId: userIdSchema });
const body = z.object({
  presence: z.enum(PRESENCE_STATES),
  status_msg: z.string().nullable().optional(),
});

export function registerPresenceRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "PUT", "/presence/:userId/status", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId } = parseParams(params, req.params);
    requireSelf(me.userId, userId, "set presence");
    const { presence, status_msg } = parseRequiredBody(body, req.body);
    await ctx.eduserver.performSetPresence({ body: { userId, presence, statusMsg: status_msg ?? null } });
    return {};
  });

  clientRoute(server, "GET", "/presence/:userId/status", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId } = parseParams(params, req.params);
    if (userId !== me.userId && !(await shareARoom(ctx, me.userId, userId))) {
      throw new MatrixError("M_FORBIDDEN", "You are not allowed to see their presence");
    }
    const { body: p } = await ctx.eduserver.queryPresence({ body: { userId } });
    return presenceContent(p, ctx.now());
  });
}

async function shareARoom(ctx: RouteContext, a: string, b: string): Promise<boolean> {
  const joined = async (userId: string) => (await ctx.roomserver.queryRoomsForUser({ body: { userId, membership: "join" } })).body.roomIds;
  const [mine, theirs] = await Promise.all([joined(a), joined(b)]);
  const set = new Set(mine);
  return theirs.some((r) => set.has(r));
}
