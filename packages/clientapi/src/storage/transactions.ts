/**
 * Idempotent sends (PUT …/send/{type}/{txnId}, PUT …/redact/{id}/{txnId}): the first request
 * for a key claims a row, sends, and records the event ID; a retransmission gets that event ID.
 * Concurrent duplicates wait for the claimant instead of sending twice, and a claim left by a
 * process that died mid-send is taken over after `staleMs`: re-sending is safe then, because
 * the roomserver itself records each transaction with its event and answers a repeat with the
 * first event. Rows live a day (Synapse keeps them about as long): clients retry within minutes.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { Sql } from "@dendrite-ts/runtime";
import { CLIENTAPI_SCHEMA } from "./migrations";

export interface TxnKey {
  userId: string;
  deviceId: string;
  endpoint: "send" | "redact";
  roomId: string;
  txnId: string;
}

export interface TransactionStore {
  /** The event ID of the transaction: the recorded one, or the one `send` produces now. */
  once(key: TxnKey, send: () => Promise<string>): Promise<string>;
}

export interface TransactionStoreOptions {
  now?: () => number;
  /** A claim older than this with no event ID is presumed dead and taken over. */
  staleMs?: number;
  /** How long a duplicate waits for the claimant before asking the client to retry. */
  waitMs?: number;
  retainMs?: number;
}

const T = `${CLIENTAPI_SCHEMA}.transactions`;

export function createTransactionStore(sql: Sql, opts: TransactionStoreOptions = {}): TransactionStore {
  const now = opts.now ?? Date.now;
  const staleMs = opts.staleMs ?? 5_000;
  const waitMs = opts.waitMs ?? 30_000;
  const retainMs = opts.retainMs ?? 24 * 3600_000;
  let lastSweep = 0;

  const keyArgs = (k: TxnKey) => [k.userId, k.deviceId, k.endpoint, k.roomId, k.txnId];
  const where = `user_id = $1 AND device_id = $2 AND endpoint = $3 AND room_id = $4 AND txn_id = $5`;

  async function sweep(t: number): Promise<void> {
    if (t - lastSweep < 10 * 60_000) return;
    lastSweep = t;
    await sql.unsafe(`DELETE FROM ${T} WHERE claimed_ts < $1`, [t - retainMs]);
  }

  async function claim(k: TxnKey): Promise<boolean> {
    const rows = await sql.unsafe(
      `INSERT INTO ${T} (user_id, device_id, endpoint, room_id, txn_id, claimed_ts) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [...keyArgs(k), now()],
    );
    return rows.length === 1;
  }

  async function takeOverStale(k: TxnKey, claimedTs: number): Promise<boolean> {
    const rows = await sql.unsafe(
      `UPDATE ${T} SET claimed_ts = $6 WHERE ${where} AND event_id IS NULL AND claimed_ts = $7 RETURNING 1`,
      [...keyArgs(k), now(), claimedTs],
    );
    return rows.length === 1;
  }

  async function runClaimed(k: TxnKey, send: () => Promise<string>): Promise<string> {
    let eventId: string;
    try {
      eventId = await send();
    } catch (e) {
      // A failed request is not remembered: the client may fix things and retry the same txnId.
      await sql.unsafe(`DELETE FROM ${T} WHERE ${where} AND event_id IS NULL`, keyArgs(k));
      throw e;
    }
    await sql.unsafe(`UPDATE ${T} SET event_id = $6 WHERE ${where}`, [...keyArgs(k), eventId]);
    return eventId;
  }

  return {
    async once(k, send) {
      await sweep(now());
      const deadline = Date.now() + waitMs;
      for (;;) {
        if (await claim(k)) return runClaimed(k, send);
        const [row] = await sql.unsafe(`SELECT event_id, claimed_ts FROM ${T} WHERE ${where}`, keyArgs(k));
        if (!row) continue; // the claimant failed and let go: claim it ourselves
        if (row.event_id !== null) return row.event_id as string;
        const claimedTs = Number(row.claimed_ts);
        if (now() - claimedTs > staleMs && (await takeOverStale(k, claimedTs))) return runClaimed(k, send);
        if (Date.now() > deadline) {
          throw new MatrixError("M_LIMIT_EXCEEDED", "This transaction is still being processed", { retry_after_ms: 1000 });
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
