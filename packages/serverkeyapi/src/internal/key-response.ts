/**
 * Checking a `/_matrix/key/v2/server` response before we believe it (server-server API,
 * "Retrieving server keys"): it must describe the server we asked about, be signed by that
 * server with a key it lists, and — when it came through a notary — be signed by the notary
 * with a key we were configured to trust.
 */
import { serverKeysResponseSchema, type ServerKeysResponse } from "../api";
import { decodeBase64, isValidBase64, signatureKeyIds, verifyJsonSignature } from "@dendrite-ts/protocol";

export type ServerKeysJson = ServerKeysResponse;
const serverKeysSchema = serverKeysResponseSchema;

/** Keys valid longer than this are treated as valid for this long (spec: "the lesser of … and 7 days"). */
export const MAX_KEY_VALIDITY_MS = 7 * 24 * 3600 * 1000;

export interface VerifiedKey {
  keyId: string;
  /** Unpadded base64, 32 bytes decoded. */
  publicKey: string;
  /** Null for keys in `verify_keys`. */
  expiredTs: number | null;
}

export interface VerifiedKeyResponse {
  serverName: string;
  /** The response with only the origin's signatures kept: what we store and re-serve as a notary. */
  json: ServerKeysJson;
  validUntilTs: number;
  keys: VerifiedKey[];
}

export class KeyResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyResponseError";
  }
}

export interface NotaryCheck {
  serverName: string;
  /** key ID → raw public key, from our configuration. */
  keys: ReadonlyMap<string, Uint8Array>;
}

function ed25519Key(b64: string): Uint8Array | undefined {
  if (!isValidBase64(b64)) return undefined;
  const bytes = decodeBase64(b64);
  return bytes.byteLength === 32 ? bytes : undefined;
}

/** Verifies `raw` as `expectedServer`'s keys, optionally vouched for by `notary`; throws KeyResponseError. */
export function verifyKeyResponse(raw: unknown, expectedServer: string, notary?: NotaryCheck): VerifiedKeyResponse {
  const parsed = serverKeysSchema.safeParse(raw);
  if (!parsed.success) throw new KeyResponseError(`malformed key response: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const json = parsed.data;
  if (json.server_name !== expectedServer) {
    throw new KeyResponseError(`key response is for ${json.server_name}, expected ${expectedServer}`);
  }

  const keys: VerifiedKey[] = [];
  const current = new Map<string, Uint8Array>();
  for (const [keyId, { key }] of Object.entries(json.verify_keys)) {
    if (!keyId.startsWith("ed25519:")) continue; // other algorithms: not ours to judge
    const bytes = ed25519Key(key);
    if (bytes === undefined) throw new KeyResponseError(`verify key ${keyId} is not a 32-byte base64 ed25519 key`);
    current.set(keyId, bytes);
    keys.push({ keyId, publicKey: key, expiredTs: null });
  }
  for (const [keyId, { key, expired_ts }] of Object.entries(json.old_verify_keys ?? {})) {
    if (!keyId.startsWith("ed25519:") || current.has(keyId)) continue;
    if (ed25519Key(key) === undefined) throw new KeyResponseError(`old verify key ${keyId} is not a 32-byte ed25519 key`);
    keys.push({ keyId, publicKey: key, expiredTs: expired_ts });
  }

  // Every origin signature made with a listed key must hold, and at least one must exist.
  // Signatures with unlisted keys are skipped (a notary may sign with a key of its own).
  let selfSigned = false;
  for (const keyId of signatureKeyIds(json, expectedServer)) {
    const publicKey = current.get(keyId);
    if (publicKey === undefined) continue;
    if (!verifyJsonSignature(json, expectedServer, keyId, publicKey)) {
      throw new KeyResponseError(`signature of ${expectedServer} with ${keyId} does not verify`);
    }
    selfSigned = true;
  }
  if (!selfSigned) throw new KeyResponseError(`key response is not signed by ${expectedServer} with any key it lists`);

  if (notary !== undefined && notary.serverName !== expectedServer) {
    const ok = [...notary.keys].some(([keyId, publicKey]) => verifyJsonSignature(json, notary.serverName, keyId, publicKey));
    if (!ok) throw new KeyResponseError(`no valid signature from notary ${notary.serverName} with a trusted key`);
  }

  const signatures = { [expectedServer]: json.signatures[expectedServer] ?? {} };
  return { serverName: expectedServer, json: { ...json, signatures }, validUntilTs: json.valid_until_ts, keys };
}
