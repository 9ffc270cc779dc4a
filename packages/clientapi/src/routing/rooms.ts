/**
 * Room membership (client-server API, "Room membership"): join and knock (by ID or alias), leave,
 * invite, kick, ban, unban, forget, and the list of joined rooms. The roomserver builds the
 * m.room.member events; its auth rules decide, and their M_FORBIDDEN comes back as is.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { ok } from "../call";
import { jsonObject, parseBody, parseParams } from "../validation";
import { clientRoute, requireJoined, roomIdOrAliasParam, roomParams, type RouteContext } from "./context";
import { assertInvitable } from "./invite-permission";
import { memberProfile } from "./member-profile";
import { refuseWhileSuspended } from "../suspension";

const reasonBody = z.object({ reason: z.string().optional() });
const targetBody = z.object({ user_id: userIdSchema, reason: z.string().optional() });
const joinBody = z.object({ reason: z.string().optional(), third_party_signed: jsonObject.optional() });

export function registerRoomRoutes(server: FastifyInstance, ctx: RouteContext): void {
  // The join event carries the joiner's profile, so members see a name.
  const join = async (userId: string, roomIdOrAlias: string, reason: string | undefined) => {
    const content: Record<string, unknown> = { ...(await memberProfile(ctx, userId)), ...(reason !== undefined ? { reason } : {}) };
    const { body } = await ctx.roomserver.performJoin({ body: { userId, roomIdOrAlias, content } });
    return { room_id: body.roomId };
  };

  clientRoute(server, "POST", "/join/:roomIdOrAlias", async (req) => {
    const me = await ctx.authenticate(req);
    refuseWhileSuspended(me);
    const roomIdOrAlias = roomIdOrAliasParam(req.params);
    const body = parseBody(joinBody, req.body);
    return join(me.userId, roomIdOrAlias, body.reason);
  });

  // knocking.yaml. `via` / `server_name` name servers to knock through: we knock on rooms we hold.
  clientRoute(server, "POST", "/knock/:roomIdOrAlias", async (req) => {
    const me = await ctx.authenticate(req);
    refuseWhileSuspended(me);
    const roomIdOrAlias = roomIdOrAliasParam(req.params);
    const body = parseBody(reasonBody, req.body);
    // The knock carries the knocker's profile, so the room's members see who is at the door.
    const content = await memberProfile(ctx, me.userId);
    const { body: r } = await ctx.roomserver.performKnock({
      body: { userId: me.userId, roomIdOrAlias, content, ...(body.reason !== undefined ? { reason: body.reason } : {}) },
    });
    return { room_id: r.roomId };
  });

  clientRoute(server, "POST", "/rooms/:roomId/join", async (req) => {
    const me = await ctx.authenticate(req);
    refuseWhileSuspended(me);
    const { roomId } = parseParams(roomParams, req.params);
    const body = parseBody(joinBody, req.body);
    return join(me.userId, roomId, body.reason);
  });

  clientRoute(server, "POST", "/rooms/:roomId/leave", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    const body = parseBody(reasonBody, req.body);
    const { body: m } = await ctx.roomserver.queryMembership({ body: { roomId, userId: me.userId } });
    // Leaving a room one is not in (or one unknown here) is refused as Synapse does.
    if (m.membership === undefined || m.membership === "leave" || m.membership === "ban") {
      throw new MatrixError("M_FORBIDDEN", `User ${me.userId} is not in room ${roomId}`);
    }
    await ctx.roomserver.performLeave({ body: { userId: me.userId, roomId, ...(body.reason !== undefined ? { reason: body.reason } : {}) } });
    return {};
  });

  clientRoute(server, "POST", "/rooms/:roomId/invite", async (req) => {
    const me = await ctx.authenticate(req);
    refuseWhileSuspended(me);
    const { roomId } = parseParams(roomParams, req.params);
    const raw = parseBody(z.object({ user_id: z.unknown().optional(), id_server: z.unknown().optional() }), req.body);
    if (raw.user_id === undefined && raw.id_server !== undefined) {
      throw new MatrixError("M_UNRECOGNIZED", "Third-party invites are not supported");
    }
    const body = parseBody(targetBody, req.body);
    await requireJoined(ctx, roomId, me.userId);
    await assertInvitable(ctx, body.user_id);
    await ctx.roomserver.performInvite({
      body: {
        sender: me.userId,
        roomId,
        invitee: body.user_id,
        inviteeProfile: await memberProfile(ctx, body.user_id),
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
      },
    });
    return {};
  });

  for (const [action, op] of [
    ["kick", "performKick"],
    ["ban", "performBan"],
    ["unban", "performUnban"],
  ] as const) {
    clientRoute(server, "POST", `/rooms/:roomId/${action}`, async (req) => {
      const me = await ctx.authenticate(req);
      const { roomId } = parseParams(roomParams, req.params);
      const body = parseBody(targetBody, req.body);
      await requireJoined(ctx, roomId, me.userId);
      await ctx.roomserver[op]({
        body: { sender: me.userId, roomId, target: body.user_id, ...(body.reason !== undefined ? { reason: body.reason } : {}) },
      });
      return {};
    });
  }

  clientRoute(server, "POST", "/rooms/:roomId/forget", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    await ctx.roomserver.performForget({ body: { userId: me.userId, roomId } });
    return {};
  });

  clientRoute(server, "GET", "/joined_rooms", async (req) => {
    const me = await ctx.authenticate(req);
    const { body } = await ctx.roomserver.queryRoomsForUser({ body: { userId: me.userId, membership: "join" } });
    return { joined_rooms: body.roomIds };
  });
}
