/**
 * POST /keys/device_signing/upload and /keys/signatures/upload (cross_signing.yaml, "Cross-signing"):
 * a user publishes their master, self-signing and user-signing keys, and signatures made with
 * them (or with a device) over keys already published. The shapes are checked here (400
 * M_BAD_JSON); the keyserver checks keys and signatures and stores them. Key objects go on as
 * the client sent them: signatures cover every field.
 *
 * User-interactive auth only when the upload would replace keys the user already has (spec
 * v1.11): a first upload, or the same keys again, goes through without it.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ok } from "../call";
import { authDictSchema, runUia, sendChallenge } from "../uia";
import { parseBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

const crossSigningKey = z
  .object({
    user_id: z.string(),
    usage: z.array(z.string()),
    keys: z.record(z.string()),
    signatures: z.record(z.record(z.string())).optional(),
  })
  .passthrough();

const uploadBody = z.object({
  master_key: crossSigningKey.optional(),
  self_signing_key: crossSigningKey.optional(),
  user_signing_key: crossSigningKey.optional(),
  auth: authDictSchema,
});
/** User → key ID (device ID or cross-signing public key) → the signed key object. */
const signaturesBody = z.record(z.record(z.object({}).passthrough()));

type Raw = Record<string, Record<string, unknown> | undefined>;

/**
 * Also under `unstable`, where matrix-js-sdk (so Element) still calls both endpoints, as Synapse
 * serves them; r0 never had them.
 */
const PREFIXES = ["/_matrix/client/v3", "/_matrix/client/unstable"] as const;

export function registerCrossSigningRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/keys/device_signing/upload", async (req, reply) => {
    const me = await ctx.authenticate(req);
    const body = parseBody(uploadBody, req.body);
    const raw = (req.body ?? {}) as Raw;
    const keys = {
      userId: me.userId,
      ...(raw.master_key ? { masterKey: raw.master_key } : {}),
      ...(raw.self_signing_key ? { selfSigningKey: raw.self_signing_key } : {}),
      ...(raw.user_signing_key ? { userSigningKey: raw.user_signing_key } : {}),
    };
    // The keyserver decides whether this replaces keys (under its lock): only then is UIA due.
    const first = await ok(ctx.keyserver.performUploadSigningKeys({ body: { ...keys, replaceAllowed: false } }));
    if (!first.authRequired) return {};
    const uia = await runUia(ctx.userapi, "upload_signing_keys", me.userId, body.auth);
    if (!uia.done) return sendChallenge(reply, uia.challenge);
    await ok(ctx.keyserver.performUploadSigningKeys({ body: { ...keys, replaceAllowed: true } }));
    return {};
  }, PREFIXES);

  clientRoute(server, "POST", "/keys/signatures/upload", async (req) => {
    const me = await ctx.authenticate(req);
    parseBody(signaturesBody, req.body);
    const signed = (req.body ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    const { failures } = await ok(ctx.keyserver.performUploadSignatures({ body: { userId: me.userId, signed } }));
    return { failures };
  }, PREFIXES);
}
