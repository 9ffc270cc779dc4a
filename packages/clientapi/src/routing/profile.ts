/**
 * Profiles (client-server API, "Profiles"): read any local user's displayname and avatar_url;
 * change one's own, then send a new m.room.member event into every room one is joined to so
 * the rooms see the change (the spec's SHOULD; userapi leaves the fan-out to us).
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, userIdSchema, userIdServerName } from "@dendrite-ts/protocol";
import type { ProfileBody } from "@dendrite-ts/userapi";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { clientRoute, requireSelf, type RouteContext } from "./context";
import { ok } from "../call";

const userParams = z.object({ userId: userIdSchema });
const FIELDS = { displayname: "displayname", avatar_url: "avatar_url" } as const;
type Field = keyof typeof FIELDS;

export function registerProfileRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const profileOf = async (userId: string): Promise<ProfileBody> => {
    // Remote profiles need a federation query (not wired yet).
    if (userIdServerName(userId as never) !== ctx.serverName) throw new MatrixError("M_NOT_FOUND", "Profile not found");
    return ok(ctx.userapi.queryProfile({ body: { userId } }));
  };
  const present = (p: ProfileBody) => ({
    ...(p.displayname !== null ? { displayname: p.displayname } : {}),
    ...(p.avatar_url !== null ? { avatar_url: p.avatar_url } : {}),
  });

  clientRoute(server, "GET", "/profile/:userId", async (req) => {
    const { userId } = parseParams(userParams, req.params);
    return present(await profileOf(userId));
  });

  for (const field of Object.keys(FIELDS) as Field[]) {
    clientRoute(server, "GET", `/profile/:userId/${field}`, async (req) => {
      const { userId } = parseParams(userParams, req.params);
      const p = present(await profileOf(userId));
      if (p[field] === undefined) throw new MatrixError("M_NOT_FOUND", `No ${field} set`);
      return { [field]: p[field] };
    });

    clientRoute(server, "PUT", `/profile/:userId/${field}`, async (req) => {
      const me = await ctx.authenticate(req);
      const { userId } = parseParams(userParams, req.params);
      requireSelf(me.userId, userId, `set the ${field}`);
      // The field is required; null clears it.
      const body = parseBody(z.object({ [field]: z.string().max(1000).nullable() }), req.body);
      const value = body[field] as string | null;
      const profile =
        field === "displayname"
          ? await ok(ctx.userapi.setDisplayName({ body: { userId, displayname: value } }))
          : await ok(ctx.userapi.setAvatarUrl({ body: { userId, avatarUrl: value } }));
      await fanOut(ctx, userId, profile);
      return {};
    });
  }
}

/**
 * A new member event per joined room, keeping the rest of the current member content. A room
 * that refuses (power levels, a race with a leave) does not undo the profile change.
 */
async function fanOut(ctx: RouteContext, userId: string, profile: ProfileBody): Promise<void> {
  const { body } = await ctx.roomserver.queryRoomsForUser({ body: { userId, membership: "join" } });
  for (const roomId of body.roomIds) {
    try {
      const { body: state } = await ctx.roomserver.queryCurrentState({
        body: { roomId, stateTuples: [{ type: "m.room.member", stateKey: userId }] },
      });
      const current = (state.stateEvents[0]?.content ?? {}) as Record<string, unknown>;
      if (current.membership !== "join") continue;
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
