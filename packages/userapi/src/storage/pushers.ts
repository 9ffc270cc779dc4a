// Queries on userapi.pushers. Deleting a device deletes its pushers (FK cascade), so nothing
// here needs calling on logout.
import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "./db";
import { pushers } from "./schema";

export interface PusherRow {
  localpart: string;
  appId: string;
  pushkey: string;
  deviceId: string;
  kind: string;
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag: string | null;
  lang: string;
  data: Record<string, unknown>;
  createdTs: number;
}

export function pusherQueries(db: Db) {
  return {
    /** Creates the user's pusher for (appId, pushkey) or replaces every field of it. */
    async upsert(row: PusherRow): Promise<void> {
      const { localpart: _l, appId: _a, pushkey: _p, ...rest } = row;
      await db
        .insert(pushers)
        .values(row)
        .onConflictDoUpdate({ target: [pushers.localpart, pushers.appId, pushers.pushkey], set: rest });
    },

    /** True when the user had that pusher. */
    async delete(localpart: string, appId: string, pushkey: string): Promise<boolean> {
      const r = await db
        .delete(pushers)
        .where(and(eq(pushers.localpart, localpart), eq(pushers.appId, appId), eq(pushers.pushkey, pushkey)))
        .returning({ p: pushers.pushkey });
      return r.length === 1;
    },

    /** `append: false`: the same (appId, pushkey) registered by anyone else goes. */
    async deleteForOtherUsers(localpart: string, appId: string, pushkey: string): Promise<number> {
      const r = await db
        .delete(pushers)
        .where(and(eq(pushers.appId, appId), eq(pushers.pushkey, pushkey), ne(pushers.localpart, localpart)))
        .returning({ p: pushers.pushkey });
      return r.length;
    },

    async selectAll(localpart: string): Promise<PusherRow[]> {
      return db
        .select()
        .from(pushers)
        .where(eq(pushers.localpart, localpart))
        .orderBy(asc(pushers.appId), asc(pushers.pushkey));
    },
  };
}
