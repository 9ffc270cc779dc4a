/**
 * Queries on `roomserver.outbox`: OutputRoomEvent messages written in the same transaction as
 * the change they describe, deleted once the stream has them (see internal/output-relay.ts).
 */
import { asc, gt, inArray } from "drizzle-orm";
import type { Executor } from "./db";
import { outbox } from "./schema";

export interface OutboxRow {
  outboxId: number;
  roomId: string;
  payload: unknown;
}

export interface OutboxQueries {
  appendOutbox(rows: readonly { roomId: string; payload: unknown }[]): Promise<void>;
  /** The oldest `limit` rows after `afterId`, in order. */
  pendingOutbox(afterId: number, limit: number): Promise<OutboxRow[]>;
  deleteOutbox(ids: readonly number[]): Promise<void>;
}

export function outboxQueries(db: Executor): OutboxQueries {
  return {
    async appendOutbox(rows) {
      if (rows.length > 0) await db.insert(outbox).values([...rows]);
    },
    async pendingOutbox(afterId, limit) {
      return db.select().from(outbox).where(gt(outbox.outboxId, afterId)).orderBy(asc(outbox.outboxId)).limit(limit);
    },
    async deleteOutbox(ids) {
      if (ids.length > 0) await db.delete(outbox).where(inArray(outbox.outboxId, [...ids]));
    },
  };
}
