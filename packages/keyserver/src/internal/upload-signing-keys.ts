// POST /keys/device_signing/upload's work: a user's master, self-signing and user-signing keys.
// The self-signing and user-signing keys must carry a valid signature by the master key (the
// one uploaded with them, else the stored one). Replacing keys the user already has needs
// user-interactive auth: without it, an upload that changes anything is answered
// `authRequired` and writes nothing (the same keys again are fine: a retried upload).
import { randomUUID } from "node:crypto";
import { MatrixError, verifyJsonSignature } from "@dendrite-ts/protocol";
import type { UploadSigningKeysRequest } from "../api";
import { keyChangeSubject, type OutputKeyChangeEvent } from "../output";
import type { CrossSigningUsage, KeyserverStore } from "../storage";
import { checkCrossSigningKey, sameJson, storedCrossSigningKey, type CrossSigningKey } from "./cross-signing-key";

export interface UploadSigningKeysResult {
  /** The user has a master key and this upload would change their keys: run UIA, then ask again. */
  authRequired: boolean;
  /** Keys changed, so the outbox has a message. */
  changed: boolean;
}

const FIELDS = { master: "masterKey", self_signing: "selfSigningKey", user_signing: "userSigningKey" } as const;

export async function uploadSigningKeys(store: KeyserverStore, req: UploadSigningKeysRequest, now: number): Promise<UploadSigningKeysResult> {
  const { userId } = req;
  const given: CrossSigningKey[] = [];
  for (const usage of ["master", "self_signing", "user_signing"] as const) {
    const json = req[FIELDS[usage]];
    if (json) given.push(checkCrossSigningKey(json, userId, usage));
  }
  // Nothing to upload changes nothing (Synapse answers 200 too), whether or not a master key exists.
  if (given.length === 0) return { authRequired: false, changed: false };
  return store.transaction(async (tx) => {
    const held = new Map<CrossSigningUsage, CrossSigningKey>();
    for (const row of await tx.crossSigningKeys.selectForUpdate(userId)) held.set(row.usage, storedCrossSigningKey(row.keyJson, row.usage, userId));
    const master = given.find((k) => k.usage === "master") ?? held.get("master");
    if (!master) throw new MatrixError("M_MISSING_PARAM", "No master key available");
    for (const key of given) {
      if (key.usage !== "master" && !verifyJsonSignature(key.json, userId, master.keyId, master.publicKeyBytes)) {
        throw new MatrixError("M_INVALID_SIGNATURE", `Invalid signature on ${key.usage} key: it must be signed by the master key ${master.keyId}`);
      }
    }
    // A key named like one of the user's devices would make "ed25519:<id>" signatures ambiguous.
    const deviceIds = new Set((await tx.deviceKeys.selectForUsers([userId])).map((d) => d.deviceId));
    const taken = given.find((k) => deviceIds.has(k.publicKey));
    if (taken) throw new MatrixError("M_FORBIDDEN", `Key ID in use: the ${taken.usage} key's public key is one of your device IDs`);

    const changed = given.filter((k) => {
      const old = held.get(k.usage);
      return !old || !sameJson(old.json, k.json);
    });
    if (changed.length === 0) return { authRequired: false, changed: false };
    if (held.has("master") && !req.replaceAllowed) return { authRequired: true, changed: false };
    for (const key of changed) {
      const old = held.get(key.usage);
      // The old key's signatures (made by it, or over it) no longer mean anything.
      if (old && old.keyId !== key.keyId) await tx.keySignatures.deleteForKey(userId, old.keyId, old.publicKey);
      await tx.crossSigningKeys.upsert({ userId, usage: key.usage, keyId: key.keyId, keyJson: JSON.stringify(key.json) }, now);
    }
    // Everyone sharing a room with the user refetches their keys; the "device" is the key.
    const msg: OutputKeyChangeEvent = { userId, deviceId: changed[0]!.publicKey, deleted: false };
    await tx.outbox.insert(keyChangeSubject(userId), randomUUID(), msg);
    return { authRequired: false, changed: true };
  });
}
