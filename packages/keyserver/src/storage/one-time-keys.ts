// Queries on keyserver.one_time_keys: a device's unclaimed one-time keys. A claim deletes the
// key it hands out, so no key is ever given to two claimers.
import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db";
import { oneTimeKeys } from "./schema";

export interface OneTimeKey {
  algorithm: string;
  keyId: string;
  keyJson: string;
}

export function oneTimeKeyQueries(db: Db) {
  return {
    /** The stored keys among these `<algorithm>:<key_id>` pairs (an upload compares them). */
    async selectExisting(userId: string, deviceId: string, keys: { algorithm: string; keyId: string }[]): Promise<OneTimeKey[]> {
      if (keys.length === 0) return [];
      return db
        .select({ algorithm: oneTimeKeys.algorithm, keyId: oneTimeKeys.keyId, keyJson: oneTimeKeys.keyJson })
        .from(oneTimeKeys)
        .where(
          and(
            eq(oneTimeKeys.userId, userId),
            eq(oneTimeKeys.deviceId, deviceId),
            inArray(
              sql`(${oneTimeKeys.algorithm} || ':' || ${oneTimeKeys.keyId})`,
              keys.map((k) => `${k.algorithm}:${k.keyId}`),
            ),
          ),
        );
    },

    async insert(userId: string, deviceId: string, keys: OneTimeKey[]): Promise<void> {
      if (keys.length === 0) return;
      await db
        .insert(oneTimeKeys)
        .values(keys.map((k) => ({ userId, deviceId, ...k })))
        .onConflictDoNothing();
    },

    /** Unclaimed keys per algorithm. */
    async counts(userId: string, deviceId: string): Promise<Record<string, number>> {
      const rows = await db
        .select({ algorithm: oneTimeKeys.algorithm, n: count() })
        .from(oneTimeKeys)
        .where(and(eq(oneTimeKeys.userId, userId), eq(oneTimeKeys.deviceId, deviceId)))
        .groupBy(oneTimeKeys.algorithm);
      return Object.fromEntries(rows.map((r) => [r.algorithm, Number(r.n)]));
    },

    /**
     * Takes one key of the algorithm, deleting it in the same statement. SKIP LOCKED lets
     * concurrent claimers each take a different key instead of waiting for (and then missing) one.
     */
    async claimOne(userId: string, deviceId: string, algorithm: string): Promise<OneTimeKey | undefined> {
      const rows = await db.execute<{ key_id: string; key_json: string }>(sql`
        DELETE FROM keyserver.one_time_keys
        WHERE (user_id, device_id, algorithm, key_id) IN (
          SELECT user_id, device_id, algorithm, key_id FROM keyserver.one_time_keys
          WHERE user_id = ${userId} AND device_id = ${deviceId} AND algorithm = ${algorithm}
          ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING key_id, key_json`);
      const row = rows[0];
      return row ? { algorithm, keyId: row.key_id, keyJson: row.key_json } : undefined;
    },

    async deleteForDevices(userId: string, deviceIds: string[]): Promise<void> {
      if (deviceIds.length === 0) return;
      await db.delete(oneTimeKeys).where(and(eq(oneTimeKeys.userId, userId), inArray(oneTimeKeys.deviceId, deviceIds)));
    },
  };
}
