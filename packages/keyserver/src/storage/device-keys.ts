// Queries on keyserver.device_keys: one signed identity-key object per (user, device).
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "./db";
import { deviceKeys } from "./schema";

export interface DeviceKeysRow {
  userId: string;
  deviceId: string;
  keyJson: string;
}

export function deviceKeyQueries(db: Db) {
  return {
    /** The device's stored keys, locked for the caller's transaction (an upload compares, then writes). */
    async selectForUpdate(userId: string, deviceId: string): Promise<string | undefined> {
      const rows = await db
        .select({ keyJson: deviceKeys.keyJson })
        .from(deviceKeys)
        .where(and(eq(deviceKeys.userId, userId), eq(deviceKeys.deviceId, deviceId)))
        .for("update");
      return rows[0]?.keyJson;
    },

    async upsert(userId: string, deviceId: string, keyJson: string, now: number): Promise<void> {
      await db
        .insert(deviceKeys)
        .values({ userId, deviceId, keyJson, updatedTs: now })
        .onConflictDoUpdate({ target: [deviceKeys.userId, deviceKeys.deviceId], set: { keyJson, updatedTs: now } });
    },

    /** Every device of these users that has keys. */
    async selectForUsers(userIds: string[]): Promise<DeviceKeysRow[]> {
      if (userIds.length === 0) return [];
      return db
        .select({ userId: deviceKeys.userId, deviceId: deviceKeys.deviceId, keyJson: deviceKeys.keyJson })
        .from(deviceKeys)
        .where(inArray(deviceKeys.userId, userIds));
    },

    /** Deletes the devices' keys; returns the device IDs that had some. */
    async delete(userId: string, deviceIds: string[]): Promise<string[]> {
      if (deviceIds.length === 0) return [];
      const rows = await db
        .delete(deviceKeys)
        .where(and(eq(deviceKeys.userId, userId), inArray(deviceKeys.deviceId, deviceIds)))
        .returning({ deviceId: deviceKeys.deviceId });
      return rows.map((r) => r.deviceId);
    },
  };
}
