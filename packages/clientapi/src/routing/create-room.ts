/**
 * POST /createRoom (client-server API, "Creation"). The request is checked here, field by field;
 * the roomserver builds the events in the spec's order. An unknown room version is refused
 * before anything is built.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, SUPPORTED_ROOM_VERSIONS, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { jsonObject, parseBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

const createRoomBody = z.object({
  visibility: z.enum(["public", "private"]).optional(),
  room_alias_name: z.string().min(1).optional(),
  name: z.string().optional(),
  topic: z.string().optional(),
  invite: z.array(userIdSchema).optional(),
  invite_3pid: z.array(z.unknown()).optional(),
  room_version: z.string().optional(),
  creation_content: jsonObject.optional(),
  initial_state: z.array(z.object({ type: z.string(), state_key: z.string().default(""), content: jsonObject })).optional(),
  preset: z.enum(["private_chat", "public_chat", "trusted_private_chat"]).optional(),
  is_direct: z.boolean().optional(),
  power_level_content_override: jsonObject.optional(),
});

export function registerCreateRoomRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/createRoom", async (req) => {
    const me = await ctx.authenticate(req);
    ctx.rateLimit(`send:${me.userId}`);
    const b = parseBody(createRoomBody, req.body);
    if (b.room_version !== undefined && !(SUPPORTED_ROOM_VERSIONS as readonly string[]).includes(b.room_version)) {
      throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `Room version ${b.room_version} is not supported`);
    }
    if (b.invite_3pid !== undefined && b.invite_3pid.length > 0) {
      throw new MatrixError("M_UNRECOGNIZED", "Third-party invites are not supported");
    }
    if (b.room_alias_name !== undefined && /[:\s#]/.test(b.room_alias_name)) {
      throw new MatrixError("M_INVALID_PARAM", "body.room_alias_name: must be a localpart, without ':', '#' or spaces");
    }
    const { body } = await ctx.roomserver.performCreateRoom({
      body: {
        creator: me.userId,
        ...(b.room_version !== undefined ? { roomVersion: b.room_version } : {}),
        ...(b.preset !== undefined ? { preset: b.preset } : {}),
        ...(b.visibility !== undefined ? { visibility: b.visibility } : {}),
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.topic !== undefined ? { topic: b.topic } : {}),
        ...(b.invite !== undefined ? { invite: b.invite } : {}),
        ...(b.initial_state !== undefined
          ? { initialState: b.initial_state.map((s) => ({ type: s.type, stateKey: s.state_key, content: s.content })) }
          : {}),
        ...(b.creation_content !== undefined ? { creationContent: b.creation_content } : {}),
        ...(b.power_level_content_override !== undefined ? { powerLevelContentOverride: b.power_level_content_override } : {}),
        ...(b.is_direct !== undefined ? { isDirect: b.is_direct } : {}),
        ...(b.room_alias_name !== undefined ? { roomAliasName: b.room_alias_name } : {}),
      },
    });
    return body.roomAlias === undefined ? { room_id: body.roomId } : { room_id: body.roomId, room_alias: body.roomAlias };
  });
}
