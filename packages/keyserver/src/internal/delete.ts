// Deleting devices' keys with the devices (logout, DELETE /devices): their identity keys go,
// so other users' clients stop encrypting to them once the device-list change reaches them.
import { randomUUID } from "node:crypto";
import { keyChangeSubject, type OutputKeyChangeEvent } from "../output";
import type { KeyserverStore } from "../storage";

/**
 * Every named device gets a deletion message — one without identity keys too (hadNoKeys), so
 * what other components kept for it (syncapi's to-device messages) goes, and a later device of
 * the same ID starts empty. Returns true when the outbox has messages.
 */
export async function deleteDeviceKeys(store: KeyserverStore, userId: string, deviceIds: string[]): Promise<boolean> {
  if (deviceIds.length === 0) return false;
  return store.transaction(async (tx) => {
    await tx.oneTimeKeys.deleteForDevices(userId, deviceIds);
    await tx.fallbackKeys.deleteForDevices(userId, deviceIds);
    const hadKeys = new Set(await tx.deviceKeys.delete(userId, deviceIds));
    // A later device of the same ID must not show signatures made over these keys.
    await tx.keySignatures.deleteForTargets(userId, [...hadKeys]);
    for (const deviceId of new Set(deviceIds)) {
      const msg: OutputKeyChangeEvent = { userId, deviceId, deleted: true, ...(hadKeys.has(deviceId) ? {} : { hadNoKeys: true }) };
      await tx.outbox.insert(keyChangeSubject(userId), randomUUID(), msg);
    }
    return true;
  });
}
