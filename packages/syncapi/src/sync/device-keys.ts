/**
 * The end-to-end encryption fields of a /sync answer for the syncing device (sync.yaml,
 * "Extensions to /sync" of end_to_end_encryption.md): its unclaimed one-time keys per
 * algorithm, and the algorithms of its fallback keys nobody has claimed yet. Asked of the
 * keyserver for every answer, empty or not: clients top their keys up from these.
 */
import type { KeyserverForSync } from "@dendrite-ts/keyserver";
import type { SyncResponse } from "./build-sync";

export type SyncResponseWithKeys = SyncResponse & { device_unused_fallback_key_types: string[] };

export async function withDeviceKeyCounts(
  keyserver: KeyserverForSync,
  device: { userId: string; deviceId: string },
  res: SyncResponse,
): Promise<SyncResponseWithKeys> {
  const { body } = await keyserver.queryKeyCounts({ body: { userId: device.userId, deviceId: device.deviceId } });
  return { ...res, device_one_time_keys_count: body.oneTimeKeyCounts, device_unused_fallback_key_types: body.unusedFallbackKeyTypes };
}
