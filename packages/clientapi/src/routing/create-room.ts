/**
 * POST /createRoom (client-server API, "Creation"). The request is checked here, field by field;
 * the roomserver builds the events in the spec's order. An unknown room version is refused
 * before anything is built.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, SUPPORTED_ROOM_VERSIONS, getRoomVersion, isValidUserId, userIdSchema, type RoomVersionRules } from "@dendrite-ts/protocol";
import { z } from "zod";
import { assertCanonicalValues } from "../canonical-values";
import { jsonObject, parseBody } from "../validation";
import { memberProfile } from "./member-profile";
import { withoutBlockedInvitees } from "./invite-permission";
import { checkInitialCanonicalAliasContent } from "./canonical-alias-content";
import { checkPowerLevelsContent } from "./power-levels-content";
import { checkStateContentShape } from "./state-content-shape";
import { clientRoute, type RouteContext } from "./context";
import { refuseWhileSuspended } from "../suspension";

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
    refuseWhileSuspended(me);
    ctx.rateLimit(`send:${me.userId}`);
    const b = parseBody(createRoomBody, req.body);
    if (b.room_version !== undefined && !(SUPPORTED_ROOM_VERSIONS as readonly string[]).includes(b.room_version)) {
      throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `Room version ${b.room_version} is not supported`);
    }
    // Every piece of content here ends up in an event of the new room's version.
    const version = b.room_version ?? ctx.config.defaultRoomVersion;
    assertCanonicalValues(b);
    const rules = getRoomVersion(version);
    if (rules) {
      const creators = roomCreatorsAsked(b, rules, me.userId);
      if (b.power_level_content_override !== undefined) {
        checkPowerLevelsContent(b.power_level_content_override, rules, creators, "body.power_level_content_override");
      }
    }
    // initial_state becomes state events: the content PUT /state would refuse is refused here.
    b.initial_state?.forEach((s, i) => {
      if (s.state_key !== "") return;
      checkStateContentShape(ctx.serverName, s.type, s.content, `body.initial_state.${i}.content`);
      if (s.type === "m.room.canonical_alias") {
        const ownAlias = b.room_alias_name === undefined ? undefined : `#${b.room_alias_name}:${ctx.serverName}`;
        checkInitialCanonicalAliasContent(s.content, ownAlias, `body.initial_state.${i}.content`);
      }
    });
    if (b.invite_3pid !== undefined && b.invite_3pid.length > 0) {
      throw new MatrixError("M_UNRECOGNIZED", "Third-party invites are not supported");
    }
    if (b.room_alias_name !== undefined && /[:\s#]/.test(b.room_alias_name)) {
      throw new MatrixError("M_INVALID_PARAM", "body.room_alias_name: must be a localpart, without ':', '#' or spaces");
    }
    const invite = await withoutBlockedInvitees(ctx, b.invite);
    // The creator's and local invitees' member events carry their profiles.
    const members = [me.userId, ...(invite ?? [])];
    const memberContent = Object.fromEntries(await Promise.all(members.map(async (u) => [u, await memberProfile(ctx, u)] as const)));
    const { body } = await ctx.roomserver.performCreateRoom({
      body: {
        creator: me.userId,
        memberContent,
        ...(b.room_version !== undefined ? { roomVersion: b.room_version } : {}),
        ...(b.preset !== undefined ? { preset: b.preset } : {}),
        ...(b.visibility !== undefined ? { visibility: b.visibility } : {}),
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.topic !== undefined ? { topic: b.topic } : {}),
        ...(invite !== undefined ? { invite } : {}),
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

/**
 * The new room's creators as the request makes them: the creator, and from room version 12
 * creation_content.additional_creators (checked here: the create event's auth rules would refuse
 * anything but user IDs) and, with trusted_private_chat, the invitees (the roomserver adds them
 * to additional_creators, create_room.yaml). The override's `users` may list none of them.
 */
function roomCreatorsAsked(b: z.output<typeof createRoomBody>, rules: RoomVersionRules, creator: string): string[] {
  if (!rules.authorization.privilegedCreators) return [creator];
  const extra = b.creation_content?.additional_creators;
  if (extra !== undefined && !(Array.isArray(extra) && extra.every((u) => typeof u === "string" && isValidUserId(u)))) {
    throw new MatrixError("M_BAD_JSON", "body.creation_content.additional_creators: must be an array of user IDs");
  }
  const invitees = b.preset === "trusted_private_chat" ? (b.invite ?? []) : [];
  return [creator, ...((extra as string[] | undefined) ?? []), ...invitees];
}
