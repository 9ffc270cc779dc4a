/**
 * The end-to-end encryption fields of a /sync answer (sync.yaml; end_to_end_encryption.md,
 * "Extensions to /sync"), added to what buildSync made:
 *
 *  - device_one_time_keys_count and device_unused_fallback_key_types for the syncing device,
 *    asked of the keyserver for every answer: clients top their keys up from these;
 *  - device_lists (incremental syncs): whose device lists to fetch again or stop tracking since
 *    the token (storage/device-lists.ts), and the device-list position in next_batch.
 */
import type { KeyserverForSync } from "@dendrite-ts/keyserver";
import type { SyncStore } from "../storage";
import type { SyncResponse } from "./build-sync";
import { formatSyncToken, parseSyncToken, type SyncPositions } from "./tokens";

export type SyncResponseWithKeys = SyncResponse & { device_unused_fallback_key_types: string[] };

export interface DeviceKeysDeps {
  keyserver: KeyserverForSync;
  store: Pick<SyncStore, "deviceLists">;
}

export async function withDeviceKeys(
  deps: DeviceKeysDeps,
  device: { userId: string; deviceId: string },
  since: SyncPositions | undefined,
  res: SyncResponse,
  /**
   * A long-poll that waited out its timeout with nothing touching the user (last-answers.ts), or
   * a live answer (one message, no membership moved): the token's device-list position stands
   * and syncapi's tables are not read; a key change meanwhile shows in the next answer.
   */
  quiet = false,
): Promise<SyncResponseWithKeys> {
  const [{ body: counts }, deviceListNow] = await Promise.all([
    deps.keyserver.queryKeyCounts({ body: { userId: device.userId, deviceId: device.deviceId } }),
    quiet && since ? since.deviceList ?? 0 : deps.store.deviceLists.deviceListPosition(),
  ]);
  const next = parseSyncToken(res.next_batch, "next_batch");
  // A token from ahead of us (another server's, a restored backup) counts as now.
  const from = Math.min(since?.deviceList ?? 0, deviceListNow);
  const deviceLists = since && !quiet
    ? await deps.store.deviceLists.deviceListChanges({
        userId: device.userId,
        fromRoom: since.room,
        toRoom: next.room,
        fromDeviceList: from,
        toDeviceList: deviceListNow,
      })
    : { changed: [], left: [] };
  return {
    ...res,
    next_batch: formatSyncToken({ ...next, deviceList: deviceListNow }),
    device_lists: deviceLists,
    device_one_time_keys_count: counts.oneTimeKeyCounts,
    device_unused_fallback_key_types: counts.unusedFallbackKeyTypes,
  };
}

/** Device-list news makes an incremental answer worth sending. */
export function hasDeviceListNews(res: SyncResponse): boolean {
  return res.device_lists.changed.length + res.device_lists.left.length > 0;
}
