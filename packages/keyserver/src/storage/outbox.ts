// Queries on keyserver.outbox: messages written in the same transaction as the change they
// describe, published after commit, deleted once the stream has them. What survives a crash is
// republished on start with the same msgId, which the stream dedups.
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db";
import { outbox } from "./schema";

export interface OutboxRow {
  id: number;
  subject: string;
  msgId: string;
  payload: unknown;
}

export function outboxQueries(db: Db) {
  return {
    /**
     * Takes the drain lock for the caller's transaction; false when another process holds it.
     * One drainer at a time keeps messages in outbox order across processes.
     */
    async tryLockDrain(): Promise<boolean> {
      const rows = await db.execute<{ ok: boolean }>(
        sql`SELECT pg_try_advisory_xact_lock(hashtextextended('dendrite-ts:keyserver:outbox', 0)) AS ok`,
      );
      return rows[0]?.ok === true;
    },

    async insert(subject: string, msgId: string, payload: unknown): Promise<void> {
      await db.insert(outbox).values({ subject, msgId, payload }).onConflictDoNothing();
    },

    async selectPending(limit: number): Promise<OutboxRow[]> {
      return db.select().from(outbox).orderBy(asc(outbox.id)).limit(limit);
    },

    async delete(msgId: string): Promise<void> {
      await db.delete(outbox).where(eq(outbox.msgId, msgId));
    },

    /** The rows of a published batch, in one statement. */
    async deleteMany(msgIds: readonly string[]): Promise<void> {
      if (msgIds.length > 0) await db.delete(outbox).where(inArray(outbox.msgId, [...msgIds]));
    },
  };
}
