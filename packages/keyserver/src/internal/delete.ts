// Deleting devices' keys with the devices (logout, DELETE /devices): their identity keys go,
// so other users' clients stop encrypting to them once the device-list change reaches them.
import { randomUUID } from "node:crypto";
import { keyChangeSubject, type OutputKeyChangeEvent } from "../output";
import type { KeyserverStore } from "../storage";

/** Returns true when a device had identity keys (so the outbox has a message). */
export async function deleteDeviceKeys(store: KeyserverStore, userId: string, deviceIds: string[]): Promise<boolean> {
  if (deviceIds.length === 0) return false;
  return store.transaction(async (tx) => {
    await tx.oneTimeKeys.deleteForDevices(userId, deviceIds);
    await tx.fallbackKeys.deleteForDevices(userId, deviceIds);
    const hadKeys = await tx.deviceKeys.delete(userId, deviceIds);
    for (const deviceId of hadKeys) {
      const msg: OutputKeyChangeEvent = { userId, deviceId, deleted: true };
      await tx.outbox.insert(keyChangeSubject(userId), randomUUID(), msg);
    }
    return hadKeys.length > 0;
  });
}
