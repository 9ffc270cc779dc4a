// Shared-secret registration, compatible with Synapse's /_synapse/admin/v1/register so its
// tools (register_new_matrix_user) work: a single-use nonce, then a HMAC-SHA1 (hex) keyed with
// the shared secret over nonce \0 username \0 password \0 "admin"|"notadmin" [\0 user_type].
import { createHmac, timingSafeEqual } from "node:crypto";
import { MatrixError } from "@dendrite-ts/protocol";
import type { Ctx } from "./context";
import { createAccount } from "./accounts";
import { newOpaqueId } from "./secrets";

/** Synapse's nonces live 60 s. */
export const NONCE_LIFETIME_MS = 60_000;

export interface SharedSecretRegistration {
  nonce: string;
  username: string;
  password: string;
  admin?: boolean | undefined;
  user_type?: string | null | undefined;
  displayname?: string | undefined;
  mac: string;
}

export interface SharedSecretResult {
  user_id: string;
  access_token: string;
  device_id: string;
  home_server: string;
}

function secretOf(ctx: Ctx): string {
  const secret = ctx.registration.sharedSecret;
  if (!secret) throw new MatrixError("M_FORBIDDEN", "Shared secret registration is not enabled");
  return secret;
}

export async function sharedSecretNonce(ctx: Ctx): Promise<{ nonce: string }> {
  secretOf(ctx);
  const now = ctx.now();
  await ctx.store.sharedSecretNonces.deleteOlderThan(now - NONCE_LIFETIME_MS);
  const nonce = newOpaqueId();
  await ctx.store.sharedSecretNonces.insert(nonce, now);
  return { nonce };
}

/** The MAC a client must send; exported for tools and tests. */
export function sharedSecretMac(secret: string, req: Omit<SharedSecretRegistration, "mac" | "displayname">): string {
  const parts = [req.nonce, req.username, req.password, req.admin ? "admin" : "notadmin"];
  if (req.user_type) parts.push(req.user_type);
  return createHmac("sha1", secret).update(parts.join("\0"), "utf8").digest("hex");
}

export async function sharedSecretRegister(ctx: Ctx, req: SharedSecretRegistration): Promise<SharedSecretResult> {
  const secret = secretOf(ctx);
  for (const field of ["username", "password"] as const) {
    if (req[field].includes("\0")) throw new MatrixError("M_INVALID_PARAM", `Invalid ${field}`);
  }
  // Spent before the MAC is checked: a guessed MAC costs the guesser a nonce.
  if (!(await ctx.store.sharedSecretNonces.consume(req.nonce, ctx.now() - NONCE_LIFETIME_MS))) {
    throw new MatrixError("M_UNKNOWN", "Unrecognised nonce");
  }
  const want = Buffer.from(sharedSecretMac(secret, req), "hex");
  const got = Buffer.from(/^[0-9a-fA-F]{40}$/.test(req.mac) ? req.mac : "", "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new MatrixError("M_FORBIDDEN", "HMAC incorrect");

  const created = await createAccount(ctx, {
    localpart: req.username,
    password: req.password,
    isAdmin: req.admin ?? false,
    userType: req.user_type ?? undefined,
    displayName: req.displayname,
    login: {},
  });
  return { user_id: created.userId, access_token: created.accessToken!, device_id: created.deviceId!, home_server: ctx.serverName };
}
