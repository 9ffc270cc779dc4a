/**
 * POST /createRoom (client-server API, "Creation"). The request is checked here, field by field;
 * the roomserver builds the events in the spec's order. An unknown room version is refused
 * before anything is built.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, SUPPORTED_ROOM_VERSIONS, getRoomVersion, isValidUserId, parsePowerLevel, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { assertCanonicalValues } from "../canonical-values";
import { jsonObject, parseBody } from "../validation";
import { memberProfile } from "./member-profile";
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
    // Every piece of content here ends up in an event of the new room's version.
    const version = b.room_version ?? ctx.config.defaultRoomVersion;
    assertCanonicalValues(b);
    if (b.power_level_content_override !== undefined) checkPowerLevelOverride(b.power_level_content_override, version, me.userId);
    if (b.invite_3pid !== undefined && b.invite_3pid.length > 0) {
      throw new MatrixError("M_UNRECOGNIZED", "Third-party invites are not supported");
    }
    if (b.room_alias_name !== undefined && /[:\s#]/.test(b.room_alias_name)) {
      throw new MatrixError("M_INVALID_PARAM", "body.room_alias_name: must be a localpart, without ':', '#' or spaces");
    }
    // The creator's and local invitees' member events carry their profiles.
    const members = [me.userId, ...(b.invite ?? [])];
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

const NAMED_LEVELS = ["ban", "events_default", "invite", "kick", "redact", "state_default", "users_default"];

/**
 * The override becomes the room's power levels event, checked by the auth rules only after the
 * create and join events are in: a malformed one would leave a half-made room. The same
 * well-formedness rules are applied here first (400 M_BAD_JSON naming the field).
 */
function checkPowerLevelOverride(pl: Record<string, unknown>, version: string, creator: string): void {
  const rules = getRoomVersion(version);
  if (!rules) return;
  const bad = (field: string, why: string): never => {
    throw new MatrixError("M_BAD_JSON", `body.power_level_content_override.${field}: ${why}`);
  };
  const level = (field: string, v: unknown) => {
    if (parsePowerLevel(v, rules.authorization) === undefined) bad(field, `${JSON.stringify(v)} is not a power level`);
  };
  for (const key of NAMED_LEVELS) if (key in pl) level(key, pl[key]);
  for (const map of ["events", "notifications", "users"]) {
    if (!(map in pl)) continue;
    const m = pl[map];
    if (m === null || typeof m !== "object" || Array.isArray(m)) bad(map, "must be an object");
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (map === "users" && !isValidUserId(k)) bad(`users.${k}`, "not a user ID");
      level(`${map}.${k}`, v);
    }
  }
  // Room version 12: creators have infinite power and must not be listed.
  const users = pl.users as Record<string, unknown> | undefined;
  if (rules.authorization.privilegedCreators && users && Object.hasOwn(users, creator)) {
    bad(`users.${creator}`, "the room creator cannot be listed in room version 12+");
  }
}
