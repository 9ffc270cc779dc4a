// One cross-signing key object (cross_signing_key.yaml): checked for its owner and usage, its
// single ed25519 public key taken out for verifying what it signs.
import { canonicalJson, decodeBase64, isValidBase64, MatrixError } from "@dendrite-ts/protocol";
import type { CrossSigningUsage } from "../storage";

export interface CrossSigningKey {
  usage: CrossSigningUsage;
  /** `ed25519:<public key>`, the key's one `keys` entry name (and its signatures' key ID). */
  keyId: string;
  /** Unpadded base64, as /keys/signatures/upload names the key. */
  publicKey: string;
  publicKeyBytes: Uint8Array;
  json: Record<string, unknown>;
}

const ED25519 = "ed25519:";

/**
 * The key must be the uploader's, list `usage`, and hold exactly one ed25519 key named after
 * its own public key; anything else is 400 M_INVALID_PARAM (as Synapse).
 */
export function checkCrossSigningKey(json: Record<string, unknown>, userId: string, usage: CrossSigningUsage): CrossSigningKey {
  const invalid = (why: string) => new MatrixError("M_INVALID_PARAM", `Invalid ${usage} key: ${why}`);
  if (json.user_id !== userId) throw invalid("user_id is not the uploader");
  if (!Array.isArray(json.usage) || !json.usage.includes(usage)) throw invalid(`usage does not include ${usage}`);
  const keys = json.keys;
  if (typeof keys !== "object" || keys === null || Array.isArray(keys)) throw invalid("keys is not an object");
  const entries = Object.entries(keys);
  if (entries.length !== 1) throw invalid("keys must hold exactly one key");
  const [keyId, publicKey] = entries[0]!;
  if (!keyId.startsWith(ED25519) || typeof publicKey !== "string" || keyId !== `${ED25519}${publicKey}`) {
    throw invalid('its key must be "ed25519:<public key>": "<public key>"');
  }
  const publicKeyBytes = isValidBase64(publicKey) ? decodeBase64(publicKey) : new Uint8Array();
  if (publicKeyBytes.byteLength !== 32) throw invalid("the public key is not 32 bytes of base64");
  return { usage, keyId, publicKey, publicKeyBytes, json };
}

/** A key read back from the table (it was checked on upload). */
export function storedCrossSigningKey(keyJson: string, usage: CrossSigningUsage, userId: string): CrossSigningKey {
  return checkCrossSigningKey(JSON.parse(keyJson) as Record<string, unknown>, userId, usage);
}

/** Equal as JSON, whatever the key order; without `signatures` and `unsigned` when `unsignedPart`. */
export function sameJson(a: Record<string, unknown>, b: Record<string, unknown>, unsignedPart = false): boolean {
  const strip = (o: Record<string, unknown>) => {
    if (!unsignedPart) return o;
    const { signatures: _s, unsigned: _u, ...rest } = o;
    return rest;
  };
  return comparable(strip(a)) === comparable(strip(b));
}

function comparable(o: Record<string, unknown>): string {
  try {
    return canonicalJson(o, { allowNonCanonicalNumbers: true });
  } catch {
    // Not canonicalisable (a lone surrogate, say): as sent, which differs from any key we hold.
    return `!${JSON.stringify(o)}`;
  }
}
