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

const upgradeBody = z.object({
  new_version: z.string(),
  /** Ignored by room versions without additional creators (the roomserver drops them). */
  additional_creators: z.array(userIdSchema).optional(),
});

export function registerUpgradeRoomRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/rooms/:roomId/upgrade", async (req) => {
    const me = await ctx.authenticate(req);
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
      withoutInternalExtras(ctx.roomserver.performUpgradeRoom({
        body: {
          userId: me.userId,
          roomId,
          newVersion: b.new_version,
          userProfile,
          ...(b.additional_creators !== undefined ? { additionalCreators: b.additional_creators } : {}),
        },
      })),
    );
    return { replacement_room: body.replacementRoomId };
  });
}

/**
 * A rejected event's error carries the roomserver's batch outcome, rule id and event ID for
 * logs and tests; a client gets the errcode, the message and the spec's extras only.
 */
async function withoutInternalExtras<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (!(e instanceof MatrixError)) throw e;
    const { results: _results, event_id: _eventId, ...rest } = e.extras;
    // The rule id is kept until asMember has read it (sender.not_joined); clientRoute strips it.
    throw new MatrixError(e.errcode, e.message, rest, e.status);
  }
}
