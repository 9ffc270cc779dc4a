/**
 * POST /rooms/{roomId}/upgrade (client-server API, "Room Upgrades"): the roomserver builds the
 * replacement room; here the request is checked, and the upgrader's profile handed over for
 * their join in the new room.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, SUPPORTED_ROOM_VERSIONS, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { asMember, clientRoute, roomParams, type RouteContext } from "./context";
import { memberProfile } from "./member-profile";
import { refuseWhileSuspended } from "../suspension";

const upgradeBody = z.object({
  new_version: z.string(),
  /** Ignored by room versions without additional creators (the roomserver drops them). */
  additional_creators: z.array(userIdSchema).optional(),
});

export function registerUpgradeRoomRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/rooms/:roomId/upgrade", async (req) => {
    const me = await ctx.authenticate(req);
    refuseWhileSuspended(me);
    ctx.rateLimit(`send:${me.userId}`);
    const { roomId } = parseParams(roomParams, req.params);
    const b = parseBody(upgradeBody, req.body);
    if (!(SUPPORTED_ROOM_VERSIONS as readonly string[]).includes(b.new_version)) {
      throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `Room version ${b.new_version} is not supported`);
    }
    const userProfile = await memberProfile(ctx, me.userId);
    // An unknown room answers as one the user is not in: 403.
    const { body } = await asMember(
      roomId,
      me.userId,
      ctx.roomserver.performUpgradeRoom({
        body: {
          userId: me.userId,
          roomId,
          newVersion: b.new_version,
          userProfile,
          ...(b.additional_creators !== undefined ? { additionalCreators: b.additional_creators } : {}),
        },
      }),
    );
    return { replacement_room: body.replacementRoomId };
  });
}
