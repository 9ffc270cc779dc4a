// Random identifiers and secrets: access tokens, device IDs, session IDs, nonces.
import { createHash, randomBytes } from "node:crypto";

/** An opaque bearer token: `syt_` then 32 random bytes (base64url). */
export function newAccessToken(): string {
  return `syt_${randomBytes(32).toString("base64url")}`;
}

/** What we store instead of a token. */
export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Ten upper-case letters, like the device IDs clients are used to. */
export function newDeviceId(): string {
  const bytes = randomBytes(10);
  let s = "";
  for (const b of bytes) s += UPPER[b % 26]; // 256 % 26 bias is irrelevant for an identifier
  return s;
}

/** An opaque identifier for sessions and nonces (URL- and JSON-safe). */
export function newOpaqueId(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}
