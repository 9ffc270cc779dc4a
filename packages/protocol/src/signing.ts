/**
 * Signing JSON and checking a signature (appendices, "Signing Details" and "Checking for a
 * Signature"): the signed bytes are the canonical JSON of the object without `signatures` and
 * `unsigned`; the signature goes under `signatures[entity][keyId]`, beside any existing ones.
 */
import { decodeBase64, encodeBase64, isValidBase64 } from "./base64";
import { canonicalJsonBytes, type CanonicalJsonOptions } from "./canonical-json";
import type { SigningKey } from "./signing-key";
import { sodium } from "./sodium";

/** `signatures`: entity (server name or user ID) → key ID → unpadded base64 signature. */
export type Signatures = Record<string, Record<string, string>>;

/** The bytes a signature covers: canonical JSON without `signatures` and `unsigned`. */
export function signedBytes(obj: object, options?: CanonicalJsonOptions): Uint8Array {
  const { signatures: _s, unsigned: _u, ...rest } = obj as Record<string, unknown>;
  return canonicalJsonBytes(rest, options);
}

/** Raw Ed25519 signature of `message`. */
export function signBytes(message: Uint8Array, key: SigningKey): Uint8Array {
  return sodium.crypto_sign_detached(message, key.secretKey);
}

/** Raw Ed25519 check of `signature` over `message`. */
export function verifyBytes(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== 64 || publicKey.byteLength !== 32) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** The unpadded base64 signature `key` makes over `obj` (without attaching it). */
export function computeJsonSignature(obj: object, key: SigningKey): string {
  return encodeBase64(signBytes(signedBytes(obj), key));
}

/**
 * A copy of `obj` signed by `serverName` with `key`: existing signatures are kept and `unsigned`
 * is carried over untouched. The input is not modified.
 */
export function signJson<T extends object>(obj: T, serverName: string, key: SigningKey): T & { signatures: Signatures } {
  const signature = computeJsonSignature(obj, key);
  const existing = ((obj as { signatures?: unknown }).signatures ?? {}) as Signatures;
  const signatures: Signatures = { ...existing, [serverName]: { ...existing[serverName], [key.keyId]: signature } };
  return { ...obj, signatures };
}

/** The signature string `obj` carries for `serverName`/`keyId`, if it is a string. */
export function getSignature(obj: object, serverName: string, keyId: string): string | undefined {
  const signatures = (obj as { signatures?: unknown }).signatures;
  if (typeof signatures !== "object" || signatures === null) return undefined;
  const byServer = (signatures as Record<string, unknown>)[serverName];
  if (typeof byServer !== "object" || byServer === null) return undefined;
  const sig = (byServer as Record<string, unknown>)[keyId];
  return typeof sig === "string" ? sig : undefined;
}

/** The key IDs `obj` carries a signature from `serverName` with, whatever their algorithm. */
export function signatureKeyIds(obj: object, serverName: string): string[] {
  const signatures = (obj as { signatures?: unknown }).signatures;
  if (typeof signatures !== "object" || signatures === null) return [];
  const byServer = (signatures as Record<string, unknown>)[serverName];
  if (typeof byServer !== "object" || byServer === null) return [];
  return Object.keys(byServer);
}

/**
 * True when `obj` carries a valid ed25519 signature by `serverName` with `keyId` and
 * `publicKey`. Any failure (no such signature, other algorithm, bad base64, not canonical
 * JSON, wrong signature) is false, never a throw.
 */
export function verifyJsonSignature(
  obj: object,
  serverName: string,
  keyId: string,
  publicKey: Uint8Array,
  options?: CanonicalJsonOptions,
): boolean {
  if (!keyId.startsWith("ed25519:")) return false;
  const signature = getSignature(obj, serverName, keyId);
  if (signature === undefined || !isValidBase64(signature)) return false;
  let message: Uint8Array;
  try {
    message = signedBytes(obj, options);
  } catch {
    return false;
  }
  return verifyBytes(message, decodeBase64(signature), publicKey);
}
