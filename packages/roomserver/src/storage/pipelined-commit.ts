/**
 * The commit of an ordinary new event (a message, or a state event that changes no membership)
 * as ONE round trip: BEGIN, the event row, the room's move, its outbox rows, the client
 * transaction and COMMIT are written to one reserved connection without waiting between them
 * (postgres.js pipelines). Any failing statement aborts the transaction, PostgreSQL then
 * answers COMMIT with ROLLBACK, and the first error says why:
 *  - the room moved (another writer changed it since we read it): the guarded UPDATE divides by
 *    the number of rows it changed, so "no rows" is an error (22012) instead of a silent no-op;
 *  - the event is already stored, or the client's transaction already made an event: 23505 on
 *    `events` or `send_transactions`.
 * Raw SQL rather than drizzle here: this is the hottest write, and drizzle's query building
 * cost more CPU than the statement itself. JSON goes as text cast to jsonb: drizzle makes the
 * shared client pass json parameters through unserialised.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { NewEventRow } from "./events";
import type { OutboxRow } from "./outbox";
import type { SendTransactionKey } from "./send-transactions";

export interface PipelinedCommit {
  event: NewEventRow & { eventNid: number };
  /** The room moves from `from` to `to` only if it is still at `from`. */
  room: {
    roomNid: number;
    from: { stateSnapshotNid: number; latestEventNids: readonly number[] };
    to: { stateSnapshotNid: number; latestEventNids: readonly number[]; lastEventNid: number };
  };
  outbox: readonly { roomId: string; payload: unknown }[];
  sendTransaction?: { key: SendTransactionKey; eventId: string; createdTs: number } | undefined;
}

export type PipelinedCommitResult =
  | { committed: true; outbox: OutboxRow[] }
  | { committed: false; reason: "room_moved" | "duplicate_event" | "duplicate_transaction" };

export async function commitPipelined(sql: Sql, c: PipelinedCommit): Promise<PipelinedCommitResult> {
  const e = c.event;
  const r = c.room;
  const conn = await sql.reserve();
  try {
    const queries = [
      conn`BEGIN`,
      conn`INSERT INTO roomserver.events (event_nid, room_nid, event_id, event_type_nid, event_state_key_nid, sender, depth,
             origin_server_ts, json, auth_event_nids, prev_event_ids, state_snapshot_nid, outlier, rejected, rejection_reason, soft_failed)
           VALUES (${e.eventNid}, ${e.roomNid}, ${e.eventId}, ${e.eventTypeNid}, ${e.eventStateKeyNid ?? null}, ${e.sender}, ${e.depth},
             ${e.originServerTs}, ${e.json}, ${(e.authEventNids ?? []) as number[]}::bigint[], ${(e.prevEventIds ?? []) as string[]}::text[],
             ${e.stateSnapshotNid ?? 0}, ${e.outlier ?? false}, ${e.rejected ?? false}, ${e.rejectionReason ?? null}, ${e.softFailed ?? false})`,
      conn`WITH moved AS (
             UPDATE roomserver.rooms SET state_snapshot_nid = ${r.to.stateSnapshotNid}, latest_event_nids = ${[...r.to.latestEventNids]}::bigint[],
               last_event_nid = ${r.to.lastEventNid}
             WHERE room_nid = ${r.roomNid} AND state_snapshot_nid = ${r.from.stateSnapshotNid}
               AND latest_event_nids = ${[...r.from.latestEventNids]}::bigint[]
             RETURNING 1)
           SELECT 1 / (SELECT count(*)::int FROM moved) AS moved`,
      ...c.outbox.map((o) => conn`INSERT INTO roomserver.outbox (room_id, payload) VALUES (${o.roomId}, ${JSON.stringify(o.payload)}::jsonb) RETURNING outbox_id`),
      ...(c.sendTransaction
        ? [
            conn`INSERT INTO roomserver.send_transactions (room_id, sender, device_id, txn_id, event_type, event_id, created_ts)
                 VALUES (${c.sendTransaction.key.roomId}, ${c.sendTransaction.key.sender}, ${c.sendTransaction.key.deviceId},
                   ${c.sendTransaction.key.txnId}, ${c.sendTransaction.key.eventType}, ${c.sendTransaction.eventId}, ${c.sendTransaction.createdTs})`,
          ]
        : []),
      conn`COMMIT`,
    ];
    const settled = await Promise.allSettled(queries);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (!failed) {
      const outbox = c.outbox.map((o, i) => {
        const rows = (settled[3 + i] as unknown as PromiseFulfilledResult<{ outbox_id: string | number }[]>).value;
        return { outboxId: Number(rows[0]!.outbox_id), roomId: o.roomId, payload: o.payload };
      });
      return { committed: true, outbox };
    }
    const err = failed.reason as { code?: string; table_name?: string };
    // Make sure nothing is left open on the connection before it goes back to the pool.
    await conn`ROLLBACK`.catch(() => undefined);
    if (err.code === "22012") return { committed: false, reason: "room_moved" };
    if (err.code === "23505" && err.table_name === "events") return { committed: false, reason: "duplicate_event" };
    if (err.code === "23505" && err.table_name === "send_transactions") return { committed: false, reason: "duplicate_transaction" };
    throw failed.reason;
  } finally {
    conn.release();
  }
}
