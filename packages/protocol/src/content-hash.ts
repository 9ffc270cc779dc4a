/**
 * The content hash of an event (server-server API, "Calculating the content hash for an
 * event"): SHA-256 of the canonical JSON of the whole event without `unsigned`, `signatures`
 * and `hashes`. It covers the unredacted content, so a redacted copy no longer matches it.
 */
import { createHash } from "node:crypto";
import { encodeBase64 } from "./base64";
import { canonicalJson, type CanonicalJsonOptions } from "./canonical-json";

export function sha256(data: string | Uint8Array): Uint8Array {
  return createHash("sha256").update(data).digest();
}

/** The raw 32-byte content hash. */
export function contentHashBytes(event: object, options?: CanonicalJsonOptions): Uint8Array {
  const { unsigned: _u, signatures: _s, hashes: _h, ...rest } = event as Record<string, unknown>;
  return sha256(canonicalJson(rest, options));
}

/** The content hash as stored in `hashes.sha256`: unpadded standard base64. */
export function computeContentHash(event: object, options?: CanonicalJsonOptions): string {
  return encodeBase64(contentHashBytes(event, options));
}
