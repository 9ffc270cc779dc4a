/**
 * Queries on `roomserver.send_transactions`: which event a client's (device, transaction ID)
 * made in a room. The row is written in the same transaction as the event, so a retry after any
 * crash — the client's, the clientapi's, ours — finds the event instead of sending it twice.
 */
import { and, eq, lt } from "drizzle-orm";
import type { Executor } from "./db";
import { sendTransactions } from "./schema";

export interface SendTransactionKey {
  roomId: string;
  sender: string;
  deviceId: string;
  txnId: string;
  eventType: string;
}

export interface SendTransactionQueries {
  sentEventId(key: SendTransactionKey): Promise<string | undefined>;
  /** False when the transaction already made an event (the caller's transaction must not commit). */
  recordSendTransaction(key: SendTransactionKey, eventId: string, now: number): Promise<boolean>;
  /** Forgets transactions older than `before` (clients retry within minutes; Synapse keeps a day). */
  sweepSendTransactions(before: number): Promise<void>;
}

export function sendTransactionQueries(db: Executor): SendTransactionQueries {
  const match = (k: SendTransactionKey) =>
    and(
      eq(sendTransactions.roomId, k.roomId),
      eq(sendTransactions.sender, k.sender),
      eq(sendTransactions.deviceId, k.deviceId),
      eq(sendTransactions.txnId, k.txnId),
      eq(sendTransactions.eventType, k.eventType),
    );
  return {
    async sentEventId(key) {
      const [row] = await db.select({ eventId: sendTransactions.eventId }).from(sendTransactions).where(match(key)).limit(1);
      return row?.eventId;
    },
    async recordSendTransaction(key, eventId, now) {
      const rows = await db
        .insert(sendTransactions)
        .values({ ...key, eventId, createdTs: now })
        .onConflictDoNothing()
        .returning({ eventId: sendTransactions.eventId });
      return rows.length === 1;
    },
    async sweepSendTransactions(before) {
      await db.delete(sendTransactions).where(lt(sendTransactions.createdTs, before));
    },
  };
}
