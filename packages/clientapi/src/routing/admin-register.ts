/**
 * Synapse's shared-secret registration (`/_synapse/admin/v1/register`), so its
 * `register_new_matrix_user` and other tools work against us. userapi checks the nonce and the
 * HMAC; when no shared secret is configured it refuses.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ok } from "../call";
import { parseBody } from "../validation";
import { clientIp, type RouteContext } from "./context";

const PATH = "/_synapse/admin/v1/register";

/** Synapse's request body, field names included. */
const registerBody = z.object({
  nonce: z.string(),
  username: z.string(),
  password: z.string(),
  admin: z.boolean().optional(),
  user_type: z.string().nullable().optional(),
  displayname: z.string().optional(),
  mac: z.string(),
});

export function registerAdminRegisterRoutes(server: FastifyInstance, ctx: RouteContext): void {
  server.get(PATH, async (req) => {
    ctx.rateLimit(`register:${clientIp(req)}`);
    return (await ctx.userapi.sharedSecretNonce({ body: {} })).body;
  });
  server.post(PATH, async (req) => {
    ctx.rateLimit(`register:${clientIp(req)}`);
    const body = parseBody(registerBody, req.body);
    const created = await ok(ctx.userapi.sharedSecretRegister({ body }));
    await ctx.pushRules.ensureStored(created.user_id);
    return created;
  });
}
