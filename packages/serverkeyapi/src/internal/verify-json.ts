/**
 * Checking a signed JSON object for one server (appendices, "Checking for a Signature"), e.g. an
 * X-Matrix request or a notary's answer. Every signature of that server with a key we can
 * obtain is checked; unknown and expired keys are skipped; at least one must verify and none
 * may fail.
 */
import { decodeBase64, signatureKeyIds, verifyJsonSignature } from "@dendrite-ts/protocol";
import type { JsonVerification } from "../api";
import { usableUntil, type KeyCache, type KnownKey } from "./key-cache";

export interface JsonToVerify {
  server_name: string;
  object: Record<string, unknown>;
  valid_at_ts?: number;
}

export async function verifySignedJson(cache: KeyCache, now: number, requests: readonly JsonToVerify[]): Promise<JsonVerification[]> {
  const wanted = requests.flatMap((r) =>
    signatureKeyIds(r.object, r.server_name)
      .filter((keyId) => keyId.startsWith("ed25519:"))
      .map((keyId) => ({ serverName: r.server_name, keyId, minimumValidUntilTs: r.valid_at_ts ?? now })),
  );
  const known = new Map<string, KnownKey>();
  for (const k of await cache.getKeys(wanted)) known.set(`${k.serverName}\u0000${k.keyId}`, k);
  return requests.map((r) => verifyOne(r, r.valid_at_ts ?? now, known));
}

function verifyOne(r: JsonToVerify, at: number, known: ReadonlyMap<string, KnownKey>): JsonVerification {
  const checks: JsonVerification["checks"] = [];
  for (const keyId of signatureKeyIds(r.object, r.server_name)) {
    if (!keyId.startsWith("ed25519:")) {
      checks.push({ key_id: keyId, result: "unsupported_algorithm" });
      continue;
    }
    const key = known.get(`${r.server_name}\u0000${keyId}`);
    if (key === undefined) checks.push({ key_id: keyId, result: "unknown_key" });
    else if (usableUntil(key) < at) checks.push({ key_id: keyId, result: "expired_key" });
    else {
      const ok = verifyJsonSignature(r.object, r.server_name, keyId, decodeBase64(key.publicKey));
      checks.push({ key_id: keyId, result: ok ? "valid" : "bad_signature" });
    }
  }
  const bad = checks.find((c) => c.result === "bad_signature");
  if (bad !== undefined) return { ok: false, error: `bad signature from ${r.server_name} with ${bad.key_id}`, checks };
  const good = checks.find((c) => c.result === "valid");
  if (good === undefined) {
    return { ok: false, error: `no signature from ${r.server_name} with a known, valid key`, checks };
  }
  return { ok: true, key_id: good.key_id, checks };
}
