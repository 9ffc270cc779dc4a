/**
 * Profiles (client-server API, "Profiles"): read any local user's profile or one field of it;
 * set or delete one's own fields (v1.16: any key — displayname, avatar_url, m.tz, custom ones).
 * A change to displayname or avatar_url is followed by a new m.room.member event in every room
 * one is joined to (the spec's SHOULD; userapi leaves the fan-out to us). Key grammar, value
 * types and the 64 KiB limit are userapi's checks.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, userIdSchema, userIdServerName } from "@dendrite-ts/protocol";
import type { ProfileChangeBody } from "@dendrite-ts/userapi";
import { z } from "zod";
import { parseBody, parseParams, jsonObject } from "../validation";
import { clientRoute, requireSelf, type RouteContext } from "./context";
import { ok } from "../call";
import { refuseWhileSuspended } from "../suspension";

const userParams = z.object({ userId: userIdSchema });
const fieldParams = z.object({ userId: userIdSchema, keyName: z.string() });
/** The fields m.room.member events carry. */
const MEMBER_FIELDS = new Set(["displayname", "avatar_url"]);

export function registerProfileRoutes(server: FastifyInstance, ctx: RouteContext): void {
  // Remote profiles need a federation query (not wired yet).
  const requireLocal = (userId: string) => {
    if (userIdServerName(userId as never) !== ctx.serverName) throw new MatrixError("M_NOT_FOUND", "Profile not found");
  };

  clientRoute(server, "GET", "/profile/:userId", async (req) => {
    const { userId } = parseParams(userParams, req.params);
    requireLocal(userId);
    return (await ok(ctx.userapi.queryProfileFields({ body: { userId } }))).fields;
  });

  clientRoute(server, "GET", "/profile/:userId/:keyName", async (req) => {
    const { userId, keyName } = parseParams(fieldParams, req.params);
    requireLocal(userId);
    const { value } = await ok(ctx.userapi.queryProfileField({ body: { userId, key: keyName } }));
    return { [keyName]: value };
  });

  clientRoute(server, "PUT", "/profile/:userId/:keyName", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, keyName } = parseParams(fieldParams, req.params);
    requireSelf(me.userId, userId, `set the ${keyName}`);
    refuseWhileSuspended(me);
    // `{ keyName: value }`; a missing key is userapi's M_MISSING_PARAM (after the key's own checks).
    const body = parseBody(jsonObject, req.body);
    const value = Object.hasOwn(body, keyName) ? body[keyName] : undefined;
    const change = await ok(ctx.userapi.setProfileField({ body: { userId, key: keyName, value } }));
    await afterChange(ctx, userId, keyName, change);
    return {};
  });

  clientRoute(server, "DELETE", "/profile/:userId/:keyName", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId, keyName } = parseParams(fieldParams, req.params);
    requireSelf(me.userId, userId, `delete the ${keyName}`);
    refuseWhileSuspended(me);
    const change = await ok(ctx.userapi.deleteProfileField({ body: { userId, key: keyName } }));
    await afterChange(ctx, userId, keyName, change);
    return {};
  });
}

/** Only a real change to a field member events carry reaches the rooms. */
async function afterChange(ctx: RouteContext, userId: string, key: string, change: ProfileChangeBody): Promise<void> {
  if (change.changed && MEMBER_FIELDS.has(key)) await fanOut(ctx, userId, change);
}

/**
 * A new member event per joined room, keeping the rest of the current member content. A room
 * whose member event already shows this profile gets none (no timeline noise). A room that
 * refuses (power levels, a race with a leave) does not undo the profile change.
 */
async function fanOut(ctx: RouteContext, userId: string, profile: ProfileChangeBody): Promise<void> {
  const { body } = await ctx.roomserver.queryRoomsForUser({ body: { userId, membership: "join" } });
  for (const roomId of body.roomIds) {
    try {
      const { body: state } = await ctx.roomserver.queryCurrentState({
        body: { roomId, stateTuples: [{ type: "m.room.member", stateKey: userId }] },
      });
      const current = (state.stateEvents[0]?.content ?? {}) as Record<string, unknown>;
      if (current.membership !== "join") continue;
      if (current.displayname === (profile.displayname ?? undefined) && current.avatar_url === (profile.avatar_url ?? undefined)) continue;
      const content: Record<string, unknown> = { ...current, membership: "join" };
      // A join authorised via a restricted room does not carry that over to later events.
      delete content.join_authorised_via_users_server;
      for (const [key, value] of [["displayname", profile.displayname], ["avatar_url", profile.avatar_url]] as const) {
        if (value === null) delete content[key];
        else content[key] = value;
      }
      await ctx.roomserver.performSendEvent({ body: { sender: userId, roomId, type: "m.room.member", stateKey: userId, content } });
    } catch (err) {
      ctx.logger.warn({ err, roomId, userId }, "profile change not sent to room");
    }
  }
}
