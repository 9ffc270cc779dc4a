// Queries on userapi.registration_tokens. Pending uses are not stored: they are the live
// uia_sessions that spent the token, so an abandoned registration frees its use on expiry.
import { and, count, eq, gte, sql } from "drizzle-orm";
import type { Db } from "./db";
import { registrationTokens, uiaSessions } from "./schema";

export interface RegistrationTokenRow {
  token: string;
  usesAllowed: number | null;
  completed: number;
  expiryTs: number | null;
  createdTs: number;
}

export function registrationTokenQueries(db: Db) {
  return {
    /** False when the token already exists. */
    async insert(row: RegistrationTokenRow): Promise<boolean> {
      const r = await db.insert(registrationTokens).values(row).onConflictDoNothing().returning({ t: registrationTokens.token });
      return r.length === 1;
    },

    /** `forUpdate` serialises concurrent spends of the last use. */
    async select(token: string, forUpdate = false): Promise<RegistrationTokenRow | undefined> {
      const q = db.select().from(registrationTokens).where(eq(registrationTokens.token, token));
      const [r] = forUpdate ? await q.for("update") : await q;
      return r;
    },

    async selectAll(): Promise<RegistrationTokenRow[]> {
      return db.select().from(registrationTokens).orderBy(registrationTokens.token);
    },

    /** Live sessions holding a use of the token (created at or after `liveSince`). */
    async countPending(token: string, liveSince: number): Promise<number> {
      const [r] = await db
        .select({ n: count() })
        .from(uiaSessions)
        .where(and(eq(uiaSessions.registrationToken, token), gte(uiaSessions.createdTs, liveSince)));
      return r?.n ?? 0;
    },

    async incrementCompleted(token: string): Promise<void> {
      await db
        .update(registrationTokens)
        .set({ completed: sql`${registrationTokens.completed} + 1` })
        .where(eq(registrationTokens.token, token));
    },

    async delete(token: string): Promise<boolean> {
      const r = await db.delete(registrationTokens).where(eq(registrationTokens.token, token)).returning({ t: registrationTokens.token });
      return r.length === 1;
    },
  };
}
