/**
 * Our published keys (server-server API, "Publishing Keys"): `verify_keys` sign requests and
 * events; `old_verify_keys` only let others check events we signed before `expired_ts`.
 */
import { encodeBase64, signJson, type SigningKey } from "@dendrite-ts/protocol";
import type { ServerKeysJson } from "./key-response";

/** A key we no longer sign with, as listed in config (`old_private_keys`). */
export interface OldVerifyKey {
  keyId: string;
  publicKey: Uint8Array;
  /** When we stopped using it, ms. */
  expiredTs: number;
}

export interface OwnKeys {
  serverName: string;
  signingKey: SigningKey;
  oldKeys: readonly OldVerifyKey[];
  /** How far ahead `valid_until_ts` lies; the spec asks for at least an hour. */
  keyValidityPeriodMs: number;
}

/** The signed `/_matrix/key/v2/server` body as of `now`. */
export function ownKeysResponse(own: OwnKeys, now: number): ServerKeysJson {
  const oldVerifyKeys: Record<string, { key: string; expired_ts: number }> = {};
  for (const k of own.oldKeys) {
    if (k.keyId === own.signingKey.keyId) continue; // still current: listing it as old would retire it
    oldVerifyKeys[k.keyId] = { key: encodeBase64(k.publicKey), expired_ts: k.expiredTs };
  }
  const body = {
    server_name: own.serverName,
    verify_keys: { [own.signingKey.keyId]: { key: encodeBase64(own.signingKey.publicKey) } },
    old_verify_keys: oldVerifyKeys,
    valid_until_ts: now + own.keyValidityPeriodMs,
  };
  return signJson(body, own.serverName, own.signingKey) as ServerKeysJson;
}

/** An old key entry from a key we used to sign with (e.g. a previous key file). */
export function oldKeyFromSigningKey(key: SigningKey, expiredTs: number): OldVerifyKey {
  return { keyId: key.keyId, publicKey: key.publicKey, expiredTs };
}
