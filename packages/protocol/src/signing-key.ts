/**
 * Ed25519 signing keys (server-server API "Server discovery / Publishing Keys", appendices
 * "Signing Details"). A key is a 32-byte seed (RFC 8032 private key) plus its key ID
 * (`ed25519:<version>`).
 *
 * Crypto is libsodium's Ed25519 (see sodium.ts: initialised at import, so calls here are
 * synchronous). Its signatures are byte-identical to node:crypto's; bench/signing.bench.ts
 * measures both.
 */
import { randomBytes } from "node:crypto";
import { parseKeyId, type KeyId } from "./ids/key-id";
import { sodium } from "./sodium";

export interface SigningKey {
  /** `ed25519:<version>`. */
  readonly keyId: KeyId;
  /** The 32-byte seed: the secret. */
  readonly seed: Uint8Array;
  /** The 32-byte public key, as published in `verify_keys`. */
  readonly publicKey: Uint8Array;
  /** libsodium's 64-byte secret key (seed ‖ public key), derived once so signing does not. */
  readonly secretKey: Uint8Array;
}

/** libsodium is ready once this module is imported; kept so callers may await readiness. */
export async function protocolReady(): Promise<void> {}

export function signingKeyFromSeed(seed: Uint8Array, keyId: string): SigningKey {
  if (seed.byteLength !== 32) throw new RangeError(`An ed25519 seed is 32 bytes, got ${seed.byteLength}`);
  const id = parseKeyId(keyId);
  if (!id.startsWith("ed25519:")) throw new RangeError(`Key ID ${keyId} is not an ed25519 key`);
  const { publicKey, privateKey } = sodium.crypto_sign_seed_keypair(seed);
  return { keyId: id, seed: new Uint8Array(seed), publicKey, secretKey: privateKey };
}

/** A fresh random key (`generate-keys`, tests). */
export function generateSigningKey(keyId: string): SigningKey {
  return signingKeyFromSeed(randomBytes(32), keyId);
}
