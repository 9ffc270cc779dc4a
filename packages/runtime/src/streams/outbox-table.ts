/**
 * A component's transactional outbox table and its queries (outbox-publisher.ts drains it): the
 * same columns in every schema that has one, so one definition serves them all. Messages are
 * written in the same transaction as the change they describe, published after commit and
 * deleted once the stream has them; what survives a crash is republished on start with the same
 * msgId, which the stream drops.
 */
import { asc, inArray, sql } from "drizzle-orm";
import { bigserial, jsonb, text, type PgDatabase, type PgQueryResultHKT, type PgSchema } from "drizzle-orm/pg-core";

/** `<schema>.outbox`. */
export function outboxTable(schema: PgSchema) {
  return schema.table("outbox", {
    /** Insertion order: republished in this order after a crash. */
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Subject to publish on (names the stream), e.g. `OutputClientData.<user>`. */
    subject: text("subject").notNull(),
    /** Dedup ID the message is published with, so a republish is dropped downstream. */
    msgId: text("msg_id").notNull().unique(),
    /** The message body. */
    payload: jsonb("payload").notNull(),
  });
}

export type OutboxTable = ReturnType<typeof outboxTable>;

export interface OutboxRow {
  id: number;
  subject: string;
  msgId: string;
  payload: unknown;
}

/** The queries on `table`, through `db` (the pool or a transaction); `owner` names the drain lock. */
export function outboxQueries(db: PgDatabase<PgQueryResultHKT, Record<string, never>>, table: OutboxTable, owner: string) {
  const lockKey = `dendrite-ts:${owner}:outbox`;
  return {
    /**
     * Takes the drain lock for the caller's transaction; false when another process holds it.
     * One drainer at a time keeps messages in outbox order across processes.
     */
    async tryLockDrain(): Promise<boolean> {
      const rows = await db.execute<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(hashtextextended(${lockKey}, 0)) AS ok`);
      return (rows as unknown as { ok: boolean }[])[0]?.ok === true;
    },

    async insert(subject: string, msgId: string, payload: unknown): Promise<void> {
      await db.insert(table).values({ subject, msgId, payload }).onConflictDoNothing();
    },

    async selectPending(limit: number): Promise<OutboxRow[]> {
      return db.select().from(table).orderBy(asc(table.id)).limit(limit);
    },

    /** The rows of a published batch, in one statement. */
    async deleteMany(msgIds: readonly string[]): Promise<void> {
      if (msgIds.length > 0) await db.delete(table).where(inArray(table.msgId, [...msgIds]));
    },
  };
}
