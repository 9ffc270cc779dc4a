/**
 * Ed25519 signing keys (server-server API "Server discovery / Publishing Keys", appendices
 * "Signing Details"). A key is a 32-byte seed (RFC 8032 private key) plus its key ID
 * (`ed25519:<version>`).
 *
 * Crypto is node:crypto's Ed25519: synchronous, no initialisation, byte-identical to libsodium
 * (see bench/signing.bench.ts). `protocolReady()` exists so callers can await it anyway and we
 * stay free to swap the backend.
 */
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { parseKeyId, type KeyId } from "./ids/key-id";

export interface SigningKey {
  /** `ed25519:<version>`. */
  readonly keyId: KeyId;
  /** The 32-byte seed: the secret. */
  readonly seed: Uint8Array;
  /** The 32-byte public key, as published in `verify_keys`. */
  readonly publicKey: Uint8Array;
  /** node:crypto handle, cached so signing does not re-import the key. */
  readonly privateKeyObject: KeyObject;
}

// DER prefixes that wrap a raw 32-byte Ed25519 key for node:crypto (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Signing is synchronous and needs no set-up today; await this once at start-up anyway. */
export async function protocolReady(): Promise<void> {}

export function signingKeyFromSeed(seed: Uint8Array, keyId: string): SigningKey {
  if (seed.byteLength !== 32) throw new RangeError(`An ed25519 seed is 32 bytes, got ${seed.byteLength}`);
  const id = parseKeyId(keyId);
  if (!id.startsWith("ed25519:")) throw new RangeError(`Key ID ${keyId} is not an ed25519 key`);
  const privateKeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKeyObject).export({ format: "der", type: "spki" });
  const publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
  return { keyId: id, seed: new Uint8Array(seed), publicKey, privateKeyObject };
}

/** A fresh random key (`generate-keys`, tests). */
export function generateSigningKey(keyId: string): SigningKey {
  return signingKeyFromSeed(randomBytes(32), keyId);
}

// Verifying looks up the same few remote keys over and over; importing costs more than checking.
const PUBLIC_KEY_CACHE_LIMIT = 4096;
const publicKeyCache = new Map<string, KeyObject>();

/** node:crypto handle for a raw 32-byte Ed25519 public key, cached. */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.byteLength !== 32) throw new RangeError(`An ed25519 public key is 32 bytes, got ${publicKey.byteLength}`);
  const cacheKey = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString("base64");
  let key = publicKeyCache.get(cacheKey);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) {
      const oldest = publicKeyCache.keys().next().value;
      if (oldest !== undefined) publicKeyCache.delete(oldest);
    }
    publicKeyCache.set(cacheKey, key);
  }
  return key;
}
