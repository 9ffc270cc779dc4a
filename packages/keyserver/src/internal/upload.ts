// POST /keys/upload's work: a device's identity keys, one-time keys and fallback keys, all or
// nothing in one transaction. Identity keys are stored as given (their signature covers those
// bytes' canonical form); a change is told to the device-list stream through the outbox.
import { randomUUID } from "node:crypto";
import { MatrixError } from "@dendrite-ts/protocol";
import type { UploadKeysRequest } from "../api";
import { keyChangeSubject, type OutputKeyChangeEvent } from "../output";
import type { KeyserverStore, KeyserverTables } from "../storage";
import { keysOf } from "./key-ids";

/** Returns true when the device's identity keys changed (so the outbox has a message). */
export async function uploadKeys(store: KeyserverStore, req: UploadKeysRequest, now: number): Promise<boolean> {
  const { userId, deviceId } = req;
  if (req.deviceKeys) {
    // The keys must be this device's own: anyone else's would let a device speak for another.
    if (req.deviceKeys.user_id !== userId) {
      throw new MatrixError("M_BAD_JSON", "user_id in device_keys does not match the authenticated user");
    }
    if (req.deviceKeys.device_id !== deviceId) {
      throw new MatrixError("M_BAD_JSON", "device_id in device_keys does not match the authenticated device");
    }
  }
  const oneTimeKeys = keysOf("one_time_keys", req.oneTimeKeys);
  const fallbackKeys = keysOf("fallback_keys", req.fallbackKeys);
  const perAlgorithm = new Set(fallbackKeys.map((k) => k.algorithm));
  if (perAlgorithm.size !== fallbackKeys.length) {
    throw new MatrixError("M_INVALID_PARAM", "fallback_keys may hold one key per algorithm");
  }
  return store.transaction(async (tx) => {
    await storeOneTimeKeys(tx, userId, deviceId, oneTimeKeys);
    for (const key of fallbackKeys) await tx.fallbackKeys.upsert(userId, deviceId, key);
    if (!req.deviceKeys) return false;
    const keyJson = JSON.stringify(req.deviceKeys);
    const old = await tx.deviceKeys.selectForUpdate(userId, deviceId);
    if (old === keyJson) return false;
    // Replacing a device's keys is allowed (Synapse does); other devices see the change.
    await tx.deviceKeys.upsert(userId, deviceId, keyJson, now);
    // Signatures made over the old keys (by the self-signing key) do not cover the new ones.
    if (old !== undefined) await tx.keySignatures.deleteForTargets(userId, [deviceId]);
    const msg: OutputKeyChangeEvent = { userId, deviceId, deleted: false };
    await tx.outbox.insert(keyChangeSubject(userId), randomUUID(), msg);
    return true;
  });
}

/** A key ID already held with other content is refused (400), as Synapse; the same one again is a no-op. */
async function storeOneTimeKeys(tx: KeyserverTables, userId: string, deviceId: string, keys: ReturnType<typeof keysOf>) {
  const existing = await tx.oneTimeKeys.selectExisting(userId, deviceId, keys);
  const held = new Map(existing.map((k) => [`${k.algorithm}:${k.keyId}`, k.keyJson]));
  for (const k of keys) {
    const old = held.get(`${k.algorithm}:${k.keyId}`);
    if (old !== undefined && old !== k.keyJson) {
      throw new MatrixError("M_INVALID_PARAM", `One-time key ${k.algorithm}:${k.keyId} already exists with different content`);
    }
  }
  await tx.oneTimeKeys.insert(userId, deviceId, keys.filter((k) => !held.has(`${k.algorithm}:${k.keyId}`)));
}
