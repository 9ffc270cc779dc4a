/**
 * Registration (client-server API, "Account registration"): user-interactive auth through
 * userapi (m.login.dummy when registration is open, m.login.registration_token when tokens are
 * on; closed registration is userapi's 403), username checks before the first challenge so a
 * client learns early, `inhibit_login`, guests refused for now.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";
import { authDictSchema, runUia, sendChallenge } from "../uia";
import { parseBody, parseParams } from "../validation";
import { clientIp, clientRoute, type Req, type RouteContext } from "./context";
import { ok } from "../call";

const registerBody = z.object({
  auth: authDictSchema,
  username: z.string().optional(),
  password: z.string().optional(),
  device_id: z.string().min(1).max(255).optional(),
  initial_device_display_name: z.string().max(255).optional(),
  inhibit_login: z.boolean().optional(),
  refresh_token: z.boolean().optional(),
});

const registerQuery = z.object({ kind: z.enum(["user", "guest"]).default("user") });

export function registerRegisterRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/register", async (req, reply) => {
    const { kind } = parseParams(registerQuery, req.query, "query");
    if (kind === "guest") throw new MatrixError("M_GUEST_ACCESS_FORBIDDEN", "Guest access is disabled");
    ctx.rateLimit(`register:${clientIp(req)}`);
    const body = parseBody(registerBody, req.body);
    // UIA first: closed registration is 403 whatever the username (no probing for taken names).
    const uia = await runUia(ctx.userapi, "register", undefined, body.auth);
    // Then the username, so a client learns it is taken before completing any stage.
    if (body.username !== undefined) await ctx.userapi.checkUsernameAvailable({ body: { username: body.username } });
    if (!uia.done) return sendChallenge(reply, uia.challenge);

    const userAgent = req.headers["user-agent"];
    const login = body.inhibit_login
      ? undefined
      : {
          ...(body.device_id !== undefined ? { deviceId: body.device_id } : {}),
          ...(body.initial_device_display_name !== undefined ? { displayName: body.initial_device_display_name } : {}),
          ip: clientIp(req),
          ...(userAgent !== undefined ? { userAgent } : {}),
        };
    const created = await ok(ctx.userapi.createAccount({
      body: {
        ...(body.username !== undefined ? { localpart: body.username } : {}),
        ...(body.password !== undefined ? { password: body.password } : {}),
        ...(login !== undefined ? { login } : {}),
        uiaSession: uia.session,
      },
    }));
    await ctx.pushRules.ensureStored(created.userId);
    if (login === undefined) return { user_id: created.userId, home_server: ctx.serverName };
    return {
      user_id: created.userId,
      access_token: created.accessToken,
      device_id: created.deviceId,
      home_server: ctx.serverName,
    };
  });

  clientRoute(server, "GET", "/register/available", async (req) => {
    ctx.rateLimit(`register:${clientIp(req)}`);
    // Absent is M_MISSING_PARAM (parseParams); empty is userapi's M_INVALID_USERNAME.
    const { username } = parseParams(z.object({ username: z.string() }), req.query, "query");
    return (await ctx.userapi.checkUsernameAvailable({ body: { username } })).body;
  });

  // Since v1.2 under /v1; older clients used v3.
  const tokenValidity = async (req: Req) => {
    ctx.rateLimit(`register:${clientIp(req)}`);
    const { token } = parseParams(z.object({ token: z.string() }), req.query, "query");
    return (await ctx.userapi.registrationTokenValidity({ body: { token } })).body;
  };
  clientRoute(server, "GET", "/register/m.login.registration_token/validity", tokenValidity, [
    "/_matrix/client/v1",
    "/_matrix/client/v3",
  ]);
}
