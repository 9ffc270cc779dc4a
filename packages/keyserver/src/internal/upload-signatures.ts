// POST /keys/signatures/upload's work: signatures made after the fact over keys we hold. The
// signed object must be the stored key (apart from its signatures); each target that fails is
// listed under `failures` and the others are kept. Accepted:
// - the uploader's device, signed by the uploader's self-signing key;
// - the uploader's master key, signed by one of the uploader's devices;
// - another local user's master key, signed by the uploader's user-signing key.
import { randomUUID } from "node:crypto";
import { decodeBase64, getSignature, isValidBase64, isValidUserId, MatrixError, parseUserId, userIdServerName, verifyJsonSignature } from "@dendrite-ts/protocol";
import { keyChangeSubject, type OutputKeyChangeEvent } from "../output";
import type { CrossSigningUsage, KeyserverStore, KeyserverTables } from "../storage";
import { sameJson, storedCrossSigningKey, type CrossSigningKey } from "./cross-signing-key";

type Json = Record<string, unknown>;
export type SignatureFailures = Record<string, Record<string, { errcode: string; error: string }>>;

export interface UploadSignaturesResult {
  failures: SignatureFailures;
  /** Signatures on the uploader's own keys were stored, so the outbox has a message. */
  changed: boolean;
}

const notFound = (what: string) => new MatrixError("M_NOT_FOUND", what);
const badSignature = (what: string) => new MatrixError("M_INVALID_SIGNATURE", what);

async function crossSigningKeys(tx: KeyserverTables, userId: string): Promise<Map<CrossSigningUsage, CrossSigningKey>> {
  const rows = await tx.crossSigningKeys.selectForUsers([userId], ["master", "self_signing", "user_signing"]);
  return new Map(rows.map((r) => [r.usage, storedCrossSigningKey(r.keyJson, r.usage, userId)]));
}

export async function uploadSignatures(
  store: KeyserverStore,
  uploader: string,
  signed: Record<string, Record<string, Json>>,
  serverName: string,
): Promise<UploadSignaturesResult> {
  return store.transaction(async (tx) => {
    const failures: SignatureFailures = {};
    const mine = await crossSigningKeys(tx, uploader);
    const myDevices = new Map((await tx.deviceKeys.selectForUsers([uploader])).map((d) => [d.deviceId, JSON.parse(d.keyJson) as Json]));
    const changedKeys: string[] = [];

    /** The stored signature rows for one target, or a MatrixError for its failure entry. */
    const signaturesFor = async (target: string, keyId: string, obj: Json): Promise<{ signerKeyId: string; signature: string }[]> => {
      if (target === uploader) {
        const device = myDevices.get(keyId);
        if (device) {
          const ssk = mine.get("self_signing");
          if (!ssk) throw notFound("You have no self-signing key to sign devices with");
          return [checkSignature(obj, device, uploader, ssk.keyId, ssk.publicKeyBytes)];
        }
        const master = mine.get("master");
        if (master && master.publicKey === keyId) return signaturesByDevices(obj, master.json, uploader, master.keyId, myDevices);
        throw notFound(`Unknown key ${keyId}`);
      }
      if (!isValidUserId(target)) throw new MatrixError("M_INVALID_PARAM", `Invalid user ID ${target}`);
      if (userIdServerName(parseUserId(target)) !== serverName) throw new MatrixError("M_UNKNOWN", "Federation is not available on this server");
      const usk = mine.get("user_signing");
      if (!usk) throw notFound("You have no user-signing key to sign other users' keys with");
      const theirs = (await crossSigningKeys(tx, target)).get("master");
      if (!theirs || theirs.publicKey !== keyId) throw notFound(`Unknown master key ${keyId} of ${target}`);
      return [checkSignature(obj, theirs.json, uploader, usk.keyId, usk.publicKeyBytes)];
    };

    for (const [target, keys] of Object.entries(signed)) {
      for (const [keyId, obj] of Object.entries(keys)) {
        try {
          const sigs = await signaturesFor(target, keyId, obj);
          for (const s of sigs) await tx.keySignatures.upsert({ signerUserId: uploader, ...s, targetUserId: target, targetKeyId: keyId });
          if (target === uploader) changedKeys.push(keyId);
        } catch (e) {
          if (!(e instanceof MatrixError)) throw e;
          (failures[target] ??= {})[keyId] = { errcode: e.errcode, error: e.message };
        }
      }
    }
    // Others learn of new signatures on the uploader's keys as of any other key change. (A
    // signature on another user's key is the uploader's business only: no one else is told.)
    for (const deviceId of new Set(changedKeys)) {
      const msg: OutputKeyChangeEvent = { userId: uploader, deviceId, deleted: false };
      await tx.outbox.insert(keyChangeSubject(uploader), randomUUID(), msg);
    }
    return { failures, changed: changedKeys.length > 0 };
  });
}

/** `obj` must be `stored` with a valid signature by `signerKeyId` added. */
function checkSignature(obj: Json, stored: Json, signer: string, signerKeyId: string, publicKey: Uint8Array) {
  const signature = getSignature(obj, signer, signerKeyId);
  if (signature === undefined) throw badSignature(`No signature by ${signerKeyId}`);
  if (!sameJson(obj, stored, true)) throw new MatrixError("M_UNKNOWN", "The signed key does not match the stored one");
  if (!verifyJsonSignature(obj, signer, signerKeyId, publicKey)) throw badSignature(`Invalid signature by ${signerKeyId}`);
  return { signerKeyId, signature };
}

/** The master key signed by one or more of the user's devices (their ed25519 identity keys). */
function signaturesByDevices(obj: Json, master: Json, userId: string, masterKeyId: string, devices: Map<string, Json>) {
  if (!sameJson(obj, master, true)) throw new MatrixError("M_UNKNOWN", "The signed key does not match the stored one");
  const byUser = (obj.signatures as Record<string, unknown> | undefined)?.[userId];
  // Signatures the stored key already carries (its own, say) are not new ones.
  const keyIds = typeof byUser === "object" && byUser !== null ? Object.keys(byUser).filter((k) => k !== masterKeyId && getSignature(master, userId, k) === undefined) : [];
  const found: { signerKeyId: string; signature: string }[] = [];
  for (const keyId of keyIds) {
    const device = keyId.startsWith("ed25519:") ? devices.get(keyId.slice("ed25519:".length)) : undefined;
    const deviceKey = (device?.keys as Record<string, unknown> | undefined)?.[keyId];
    if (typeof deviceKey !== "string" || !isValidBase64(deviceKey)) throw badSignature(`${keyId} is not one of your devices' keys`);
    found.push(checkSignature(obj, master, userId, keyId, decodeBase64(deviceKey)));
  }
  if (found.length === 0) throw badSignature("No signature by one of your devices");
  return found;
}
