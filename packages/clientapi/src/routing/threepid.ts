/**
 * Third-party identifiers (client-server API, "Adding Account Administrative Contact
 * Information", and the requestToken endpoints of registration and password reset). This server
 * holds no 3PIDs, sends no email or SMS and talks to no identity server (/capabilities says
 * m.3pid_changes: false), so each endpoint gives the answer its spec file has for that:
 *
 * - GET /account/3pid: 200, an empty list (clients' settings pages ask for it).
 * - POST /account/3pid/{email,msisdn}/requestToken: 400 M_THREEPID_MEDIUM_NOT_SUPPORTED ("the
 *   homeserver does not support adding email addresses / phone numbers").
 * - POST /register/… and /account/password/…/requestToken: 403 M_THREEPID_DENIED, the only
 *   "not permitted" answer those list.
 * - POST /account/3pid (deprecated), /3pid/add, /3pid/bind: 403 M_THREEPID_AUTH_FAILED, the
 *   deprecated endpoint's answer when credentials cannot be verified (the spec calls it the
 *   equivalent of /3pid/bind; /3pid/add's session ID can only come from a requestToken, which
 *   never issues one). Refused before any user-interactive auth: no password is asked for a
 *   change that cannot happen.
 * - POST /account/3pid/delete and /unbind: 200 with id_server_unbind_result "no-support", what
 *   the spec says when the homeserver knows no identity server to unbind from. The spec lists no
 *   error for these: removing an identifier the account does not have is a removal already done.
 *
 * Bodies are checked first (M_BAD_JSON names the field), and the endpoints the spec puts behind
 * an access token ask for one; the requestToken endpoints are unauthenticated in the spec.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";
import { authDictSchema } from "../uia";
import { parseRequiredBody } from "../validation";
import { clientRoute, type Req, type RouteContext } from "./context";

const medium = z.enum(["email", "msisdn"]);

const emailTokenBody = z
  .object({ client_secret: z.string(), email: z.string(), send_attempt: z.number().int(), next_link: z.string().optional() })
  .passthrough();
const msisdnTokenBody = z
  .object({
    client_secret: z.string(),
    country: z.string(),
    phone_number: z.string(),
    send_attempt: z.number().int(),
    next_link: z.string().optional(),
  })
  .passthrough();

/** Identity-server credentials (POST /account/3pid's three_pid_creds, /3pid/bind's body). */
const idServerCreds = z
  .object({ client_secret: z.string(), id_server: z.string(), id_access_token: z.string().optional(), sid: z.string() })
  .passthrough();

const addBody = z.object({ auth: authDictSchema, client_secret: z.string(), sid: z.string() }).passthrough();
const removeBody = z.object({ medium, address: z.string(), id_server: z.string().optional() }).passthrough();

const NOT_VERIFIED = "No third-party identifier could be verified: this server does not support third-party identifiers";

export function registerThreepidRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/account/3pid", async (req) => {
    await ctx.authenticate(req);
    return { threepids: [] };
  });

  const refuseChange = (schema: z.ZodTypeAny) => async (req: Req) => {
    await ctx.authenticate(req);
    parseRequiredBody(schema, req.body);
    throw new MatrixError("M_THREEPID_AUTH_FAILED", NOT_VERIFIED, {}, 403);
  };
  clientRoute(server, "POST", "/account/3pid", refuseChange(z.object({ three_pid_creds: idServerCreds }).passthrough()));
  clientRoute(server, "POST", "/account/3pid/add", refuseChange(addBody));
  clientRoute(server, "POST", "/account/3pid/bind", refuseChange(idServerCreds));

  const noUnbind = async (req: Req) => {
    await ctx.authenticate(req);
    parseRequiredBody(removeBody, req.body);
    return { id_server_unbind_result: "no-support" };
  };
  clientRoute(server, "POST", "/account/3pid/delete", noUnbind);
  clientRoute(server, "POST", "/account/3pid/unbind", noUnbind);

  const kinds = [
    { medium: "email", body: emailTokenBody, what: "email addresses" },
    { medium: "msisdn", body: msisdnTokenBody, what: "phone numbers" },
  ] as const;
  for (const kind of kinds) {
    clientRoute(server, "POST", `/account/3pid/${kind.medium}/requestToken`, async (req) => {
      parseRequiredBody(kind.body, req.body);
      throw new MatrixError("M_THREEPID_MEDIUM_NOT_SUPPORTED", `This server does not support adding ${kind.what}`, {}, 400);
    });
    for (const purpose of ["/register", "/account/password"]) {
      clientRoute(server, "POST", `${purpose}/${kind.medium}/requestToken`, async (req) => {
        parseRequiredBody(kind.body, req.body);
        throw new MatrixError("M_THREEPID_DENIED", `This server does not use ${kind.what} as contact information`, {}, 403);
      });
    }
  }
}
