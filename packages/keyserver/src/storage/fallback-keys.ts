// Queries on keyserver.fallback_keys: at most one per (device, algorithm), handed out when the
// device has no one-time key of that algorithm left, as often as asked, and then marked used.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db";
import { fallbackKeys } from "./schema";
import type { OneTimeKey } from "./one-time-keys";

export function fallbackKeyQueries(db: Db) {
  return {
    /**
     * Stores the device's fallback key for its algorithm. The same key uploaded again keeps its
     * used flag; a different one replaces it, unused.
     */
    async upsert(userId: string, deviceId: string, key: OneTimeKey): Promise<void> {
      await db
        .insert(fallbackKeys)
        .values({ userId, deviceId, ...key, used: false })
        .onConflictDoUpdate({
          target: [fallbackKeys.userId, fallbackKeys.deviceId, fallbackKeys.algorithm],
          set: { keyId: key.keyId, keyJson: key.keyJson, used: sql`${fallbackKeys.used} AND ${fallbackKeys.keyId} = ${key.keyId} AND ${fallbackKeys.keyJson} = ${key.keyJson}` },
        });
    },

    /** The device's fallback key of the algorithm, now marked used. */
    async claim(userId: string, deviceId: string, algorithm: string): Promise<OneTimeKey | undefined> {
      const rows = await db
        .update(fallbackKeys)
        .set({ used: true })
        .where(and(eq(fallbackKeys.userId, userId), eq(fallbackKeys.deviceId, deviceId), eq(fallbackKeys.algorithm, algorithm)))
        .returning({ keyId: fallbackKeys.keyId, keyJson: fallbackKeys.keyJson });
      const row = rows[0];
      return row ? { algorithm, ...row } : undefined;
    },

    /** Algorithms whose fallback key nobody has claimed yet (sync's device_unused_fallback_key_types). */
    async unusedAlgorithms(userId: string, deviceId: string): Promise<string[]> {
      const rows = await db
        .select({ algorithm: fallbackKeys.algorithm })
        .from(fallbackKeys)
        .where(and(eq(fallbackKeys.userId, userId), eq(fallbackKeys.deviceId, deviceId), eq(fallbackKeys.used, false)))
        .orderBy(fallbackKeys.algorithm);
      return rows.map((r) => r.algorithm);
    },

    async deleteForDevices(userId: string, deviceIds: string[]): Promise<void> {
      if (deviceIds.length === 0) return;
      await db.delete(fallbackKeys).where(and(eq(fallbackKeys.userId, userId), inArray(fallbackKeys.deviceId, deviceIds)));
    },
  };
}
