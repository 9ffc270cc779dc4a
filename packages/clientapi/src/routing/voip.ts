/**
 * GET /voip/turnServer (client-server API, "Voice over IP"): the TURN servers a client relays
 * calls through, with credentials. With a shared secret (coturn's static-auth-secret, the "TURN
 * REST API"), each user gets a username `<expiry>:<user ID>` and its HMAC-SHA1 under the secret,
 * valid for user_lifetime; otherwise the configured username and password. No TURN servers
 * configured: `{}`, as Synapse answers (clients then call without a relay).
 */
import { createHmac } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { clientRoute, type RouteContext } from "./context";

export interface TurnConfig {
  uris: string[];
  sharedSecret?: string;
  username?: string;
  password?: string;
  userLifetimeMs: number;
}

export function registerVoipRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/voip/turnServer", async (req) => {
    const me = await ctx.authenticate(req);
    const turn = ctx.config.turn;
    if (!turn || turn.uris.length === 0) return {};
    const ttl = Math.floor(turn.userLifetimeMs / 1000);
    if (turn.sharedSecret !== undefined) {
      const username = `${Math.floor(ctx.now() / 1000) + ttl}:${me.userId}`;
      const password = createHmac("sha1", turn.sharedSecret).update(username).digest("base64");
      return { username, password, uris: turn.uris, ttl };
    }
    return { username: turn.username, password: turn.password, uris: turn.uris, ttl };
  });
}
