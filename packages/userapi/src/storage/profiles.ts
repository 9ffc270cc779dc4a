// Queries on userapi.profiles.
import { eq } from "drizzle-orm";
import type { Db } from "./db";
import { profiles } from "./schema";

export interface ProfileRow {
  displayname: string | null;
  avatarUrl: string | null;
  /** Every other field (`m.tz`, custom keys) → its JSON value. */
  custom: Record<string, unknown>;
}

const columns = { displayname: profiles.displayname, avatarUrl: profiles.avatarUrl, custom: profiles.custom };

export function profileQueries(db: Db) {
  return {
    async select(localpart: string): Promise<ProfileRow | undefined> {
      const [r] = await db.select(columns).from(profiles).where(eq(profiles.localpart, localpart));
      return r;
    },

    /** Sets the given fields (undefined = leave as is), creating the row if needed. */
    async upsert(localpart: string, fields: Partial<ProfileRow>): Promise<ProfileRow> {
      const [r] = await db
        .insert(profiles)
        .values({ localpart, displayname: fields.displayname ?? null, avatarUrl: fields.avatarUrl ?? null, custom: fields.custom ?? {} })
        .onConflictDoUpdate({ target: profiles.localpart, set: fields })
        .returning(columns);
      return r!;
    },

    async clear(localpart: string): Promise<void> {
      await db.update(profiles).set({ displayname: null, avatarUrl: null, custom: {} }).where(eq(profiles.localpart, localpart));
    },
  };
}
