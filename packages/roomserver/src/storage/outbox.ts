/**
 * Queries on `roomserver.outbox`: OutputRoomEvent messages written in the same transaction as
 * the change they describe, deleted once the stream has them (see internal/output-relay.ts).
 */
import { asc, gt, inArray, sql } from "drizzle-orm";
import { commitWithoutWaiting, type Sql } from "@dendrite-ts/runtime";
import type { Executor } from "./db";
import { outbox } from "./schema";

export interface OutboxRow {
  outboxId: number;
  roomId: string;
  payload: unknown;
  /** The payload as JSON, when whoever wrote the row has it already (published as is). */
  json?: string;
}

export interface OutboxQueries {
  /** Appends rows in order; returns them with their IDs. */
  appendOutbox(rows: readonly { roomId: string; payload: unknown }[]): Promise<OutboxRow[]>;
  /** The oldest `limit` rows after `afterId`, in order. */
  pendingOutbox(afterId: number, limit: number): Promise<OutboxRow[]>;
  deleteOutbox(ids: readonly number[]): Promise<void>;
  /**
   * Outside a transaction: deletes rows the stream has, committed without waiting for the disk
   * (synchronous_commit off for this statement alone): a delete lost in a database crash only
   * means those rows are published again, and the stream drops them as duplicates.
   */
  deletePublishedOutbox(ids: readonly number[]): Promise<void>;
  /**
   * Inside a transaction: true if this transaction now holds the relay lock (held until it
   * ends), false if another process's relay holds it. One relay at a time keeps per-room order.
   */
  tryOutboxLock(): Promise<boolean>;
}

export function outboxQueries(db: Executor, pool?: Sql): OutboxQueries {
  return {
    async appendOutbox(rows) {
      if (rows.length === 0) return [];
      const ids = await db.insert(outbox).values([...rows]).returning({ outboxId: outbox.outboxId });
      // A multi-row INSERT assigns serial IDs in VALUES order: sort to pair them up.
      const sorted = ids.map((r) => r.outboxId).sort((a, b) => a - b);
      return rows.map((r, i) => ({ outboxId: sorted[i]!, roomId: r.roomId, payload: r.payload }));
    },
    async pendingOutbox(afterId, limit) {
      return db.select().from(outbox).where(gt(outbox.outboxId, afterId)).orderBy(asc(outbox.outboxId)).limit(limit);
    },
    async tryOutboxLock() {
      const res = (await db.execute(sql`SELECT pg_try_advisory_xact_lock(hashtext('roomserver.outbox')) AS locked`)) as unknown;
      const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { locked: boolean }[];
      return rows[0]?.locked === true;
    },
    async deleteOutbox(ids) {
      if (ids.length > 0) await db.delete(outbox).where(inArray(outbox.outboxId, [...ids]));
    },
    async deletePublishedOutbox(ids) {
      if (ids.length === 0) return;
      if (!pool) throw new Error("deletePublishedOutbox runs outside a transaction");
      await pool`
        WITH ${commitWithoutWaiting(pool)}
        DELETE FROM roomserver.outbox
        WHERE outbox_id = ANY(${ids as number[]}::int8[]) AND EXISTS (SELECT 1 FROM relaxed)`;
    },
  };
}
