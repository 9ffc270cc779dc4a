/**
 * Login and logout (client-server API, "Login", "Logout"): m.login.password with an m.id.user
 * identifier or the deprecated top-level `user`. Well-known discovery info is not returned.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody } from "../validation";
import { clientIp, clientRoute, type RouteContext } from "./context";
import { ok } from "../call";
import { deleteDevicesKeys } from "./keys";

const loginBody = z.object({
  type: z.string(),
  identifier: z.object({ type: z.string(), user: z.string().optional() }).passthrough().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  device_id: z.string().min(1).max(255).optional(),
  initial_device_display_name: z.string().max(255).optional(),
  refresh_token: z.boolean().optional(),
});

export function registerAuthRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/login", async () => ({ flows: [{ type: "m.login.password" }] }));

  clientRoute(server, "POST", "/login", async (req) => {
    ctx.rateLimit(`login:${clientIp(req)}`);
    const body = parseBody(loginBody, req.body);
    if (body.type !== "m.login.password") throw new MatrixError("M_UNKNOWN", `Unknown login type ${body.type}`);
    if (body.password === undefined) throw new MatrixError("M_BAD_JSON", "body.password: Required");
    const userAgent = req.headers["user-agent"];
    const session = await ok(ctx.userapi.passwordLogin({
      body: {
        password: body.password,
        ...(body.identifier !== undefined ? { identifier: body.identifier } : {}),
        ...(body.user !== undefined ? { user: body.user } : {}),
        ...(body.device_id !== undefined ? { deviceId: body.device_id } : {}),
        ...(body.initial_device_display_name !== undefined ? { displayName: body.initial_device_display_name } : {}),
        ip: clientIp(req),
        ...(userAgent !== undefined ? { userAgent } : {}),
      },
    }));
    // Accounts made by tools or at first run get their push rules here.
    await ctx.pushRules.ensureStored(session.userId);
    return {
      user_id: session.userId,
      access_token: session.accessToken,
      device_id: session.deviceId,
      home_server: ctx.serverName, // deprecated, still read by older clients
    };
  });

  // The only routes a locked account may use (spec "Account locking").
  clientRoute(server, "POST", "/logout", async (req) => {
    const me = await ctx.authenticate(req, { allowLocked: true });
    const out = await ok(ctx.userapi.logout({ body: { accessToken: me.accessToken } }));
    await deleteDevicesKeys(ctx, me.userId, out.deletedDeviceIds);
    return {};
  });

  clientRoute(server, "POST", "/logout/all", async (req) => {
    const me = await ctx.authenticate(req, { allowLocked: true });
    const out = await ok(ctx.userapi.logoutAll({ body: { userId: me.userId } }));
    await deleteDevicesKeys(ctx, me.userId, out.deletedDeviceIds);
    return {};
  });
}
