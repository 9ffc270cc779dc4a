/**
 * GET /capabilities: what this server lets clients do. Room versions from protocol (every one
 * stable), the default from config; password changes on; every profile field settable (v1.16's
 * m.profile_fields, with the deprecated displayname/avatar flags kept for older clients) unless
 * the user is suspended; no 3PIDs. Admins are told they may lock and suspend (v1.18
 * m.account_moderation, admin-moderation.ts); others get no such entry, as the spec asks.
 */
import type { FastifyInstance } from "fastify";
import { SUPPORTED_ROOM_VERSIONS, getRoomVersion } from "@dendrite-ts/protocol";
import { clientRoute, type RouteContext } from "./context";

export function registerCapabilitiesRoute(server: FastifyInstance, ctx: RouteContext): void {
  const available: Record<string, string> = {};
  for (const v of SUPPORTED_ROOM_VERSIONS) available[v] = getRoomVersion(v)?.stability ?? "stable";
  const capabilities = {
    "m.change_password": { enabled: true },
    "m.room_versions": { default: ctx.config.defaultRoomVersion, available },
    "m.set_displayname": { enabled: true },
    "m.set_avatar_url": { enabled: true },
    "m.profile_fields": { enabled: true },
    "m.3pid_changes": { enabled: false },
    "m.get_login_token": { enabled: false },
  };
  const profileOff = { enabled: false };
  const suspended = { ...capabilities, "m.set_displayname": profileOff, "m.set_avatar_url": profileOff, "m.profile_fields": profileOff };
  const moderation = { "m.account_moderation": { lock: true, suspend: true } };
  clientRoute(server, "GET", "/capabilities", async (req) => {
    const me = await ctx.authenticate(req);
    return { capabilities: { ...(me.isSuspended ? suspended : capabilities), ...(me.isAdmin ? moderation : {}) } };
  });
}
