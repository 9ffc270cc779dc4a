// Queries on userapi.devices. Deleting a device deletes its access tokens (FK cascade).
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "./db";
import { devices } from "./schema";

export interface DeviceRow {
  localpart: string;
  deviceId: string;
  displayName: string | null;
  createdTs: number;
  lastSeenTs: number | null;
  lastSeenIp: string | null;
  lastSeenUserAgent: string | null;
}

export function deviceQueries(db: Db) {
  return {
    /** Inserts a device unless it exists; true when it was created. */
    async insertIfAbsent(row: {
      localpart: string;
      deviceId: string;
      displayName: string | null;
      createdTs: number;
      lastSeenIp?: string | null;
      lastSeenUserAgent?: string | null;
    }): Promise<boolean> {
      const r = await db
        .insert(devices)
        .values({ ...row, lastSeenTs: row.lastSeenIp ? row.createdTs : null })
        .onConflictDoNothing()
        .returning({ d: devices.deviceId });
      return r.length === 1;
    },

    async select(localpart: string, deviceId: string): Promise<DeviceRow | undefined> {
      const [r] = await db
        .select()
        .from(devices)
        .where(and(eq(devices.localpart, localpart), eq(devices.deviceId, deviceId)));
      return r;
    },

    async selectAll(localpart: string): Promise<DeviceRow[]> {
      return db.select().from(devices).where(eq(devices.localpart, localpart)).orderBy(devices.deviceId);
    },

    /** True when the device exists (and was updated). */
    async updateDisplayName(localpart: string, deviceId: string, displayName: string | null): Promise<boolean> {
      const r = await db
        .update(devices)
        .set({ displayName })
        .where(and(eq(devices.localpart, localpart), eq(devices.deviceId, deviceId)))
        .returning({ d: devices.deviceId });
      return r.length === 1;
    },

    async updateLastSeen(localpart: string, deviceId: string, ts: number, ip: string | null, userAgent: string | null) {
      await db
        .update(devices)
        .set({ lastSeenTs: ts, lastSeenIp: ip, lastSeenUserAgent: userAgent })
        .where(and(eq(devices.localpart, localpart), eq(devices.deviceId, deviceId)));
    },

    /** Deletes the listed devices; returns the IDs that existed. */
    async delete(localpart: string, deviceIds: string[]): Promise<string[]> {
      if (deviceIds.length === 0) return [];
      const r = await db
        .delete(devices)
        .where(and(eq(devices.localpart, localpart), inArray(devices.deviceId, deviceIds)))
        .returning({ d: devices.deviceId });
      return r.map((x) => x.d);
    },

    /** Deletes every device of the user but `except` (if given); returns the deleted IDs. */
    async deleteAllExcept(localpart: string, except: string | undefined): Promise<string[]> {
      const cond = except === undefined ? eq(devices.localpart, localpart) : and(eq(devices.localpart, localpart), ne(devices.deviceId, except));
      const r = await db.delete(devices).where(cond).returning({ d: devices.deviceId });
      return r.map((x) => x.d);
    },
  };
}
