/**
 * The account itself: whoami, password change and deactivation (both behind user-interactive
 * auth with m.login.password).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { authDictSchema, runUia, sendChallenge } from "../uia";
import { parseBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";
import { deleteDevicesKeys } from "./keys";
import { ok } from "../call";

const passwordBody = z.object({
  auth: authDictSchema,
  new_password: z.string(),
  logout_devices: z.boolean().default(true),
});

const deactivateBody = z.object({
  auth: authDictSchema,
  erase: z.boolean().optional(),
  id_server: z.string().optional(),
});

export function registerAccountRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/account/whoami", async (req) => {
    const me = await ctx.authenticate(req);
    return { user_id: me.userId, device_id: me.deviceId, is_guest: me.isGuest };
  });

  clientRoute(server, "POST", "/account/password", async (req, reply) => {
    const me = await ctx.authenticate(req);
    const body = parseBody(passwordBody, req.body);
    const uia = await runUia(ctx.userapi, "change_password", me.userId, body.auth);
    if (!uia.done) return sendChallenge(reply, uia.challenge);
    const changed = await ok(
      ctx.userapi.changePassword({
        body: { userId: me.userId, newPassword: body.new_password, logoutDevices: body.logout_devices, exceptDeviceId: me.deviceId },
      }),
    );
    await deleteDevicesKeys(ctx, me.userId, changed.deletedDeviceIds);
    return {};
  });

  clientRoute(server, "POST", "/account/deactivate", async (req, reply) => {
    const me = await ctx.authenticate(req);
    const body = parseBody(deactivateBody, req.body);
    const uia = await runUia(ctx.userapi, "deactivate", me.userId, body.auth);
    if (!uia.done) return sendChallenge(reply, uia.challenge);
    // The spec has a deactivated user leave every room (and reject every invite) first.
    for (const membership of ["join", "invite"] as const) {
      const { body: rooms } = await ctx.roomserver.queryRoomsForUser({ body: { userId: me.userId, membership } });
      for (const roomId of rooms.roomIds) {
        await ctx.roomserver.performLeave({ body: { userId: me.userId, roomId } }).catch(() => undefined);
      }
    }
    const gone = await ok(ctx.userapi.deactivateAccount({ body: { userId: me.userId } }));
    await deleteDevicesKeys(ctx, me.userId, gone.deletedDeviceIds);
    // No device will ever read the backed-up room keys again; Synapse deletes them too.
    await ok(ctx.keyserver.performDeleteKeyBackups({ body: { userId: me.userId } }));
    return { id_server_unbind_result: "no-support" };
  });
}
