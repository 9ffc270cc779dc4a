// Queries on userapi.uia_sessions.
import { eq, lt } from "drizzle-orm";
import type { Db } from "./db";
import { uiaSessions } from "./schema";

export interface UiaSessionRow {
  sessionId: string;
  purpose: string;
  localpart: string | null;
  completed: string[];
  registrationToken: string | null;
  createdTs: number;
}

export function uiaSessionQueries(db: Db) {
  return {
    async insert(row: UiaSessionRow): Promise<void> {
      await db.insert(uiaSessions).values(row);
    },

    /** `forUpdate` makes two concurrent attempts on one session take turns. */
    async select(sessionId: string, forUpdate = false): Promise<UiaSessionRow | undefined> {
      const q = db.select().from(uiaSessions).where(eq(uiaSessions.sessionId, sessionId));
      const [r] = forUpdate ? await q.for("update") : await q;
      return r;
    },

    async update(sessionId: string, fields: { completed: string[]; registrationToken?: string | null }): Promise<void> {
      await db.update(uiaSessions).set(fields).where(eq(uiaSessions.sessionId, sessionId));
    },

    async delete(sessionId: string): Promise<void> {
      await db.delete(uiaSessions).where(eq(uiaSessions.sessionId, sessionId));
    },

    async deleteOlderThan(ts: number): Promise<void> {
      await db.delete(uiaSessions).where(lt(uiaSessions.createdTs, ts));
    },
  };
}
