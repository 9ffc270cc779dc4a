/**
 * The commit of an ordinary new event (a message, or a state event that changes no membership)
 * as ONE statement: the event row, the room's move, its outbox rows and the client transaction
 * are data-modifying CTEs of one autocommitted statement. Any failure undoes all of it, and the
 * error says why:
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

export interface OneStatementCommit {
  event: NewEventRow & { eventNid: number };
  /** The room moves from `from` to `to` only if it is still at `from`. */
  room: {
    roomNid: number;
    roomId: string;
    from: { stateSnapshotNid: number; latestEventNids: readonly number[] };
    to: { stateSnapshotNid: number; latestEventNids: readonly number[]; lastEventNid: number };
  };
  /** The room's outputs, in order. */
  outputs: readonly unknown[];
  sendTransaction?: { key: SendTransactionKey; eventId: string; createdTs: number } | undefined;
}

export type OneStatementCommitResult =
  | { committed: true; outbox: OutboxRow[] }
  | { committed: false; reason: "room_moved" | "duplicate_event" | "duplicate_transaction" };

/**
 * The statement's text, fixed: handed to the driver as is (no template to walk per call), with
 * the send-transaction insert or without. Every output goes as one JSON array, split by
 * PostgreSQL, rather than a text[] whose every quote the driver would escape.
 */
const STATEMENT = (withTransaction: boolean) => `
  WITH ev AS (
    INSERT INTO roomserver.events (event_nid, room_nid, event_id, event_type_nid, event_state_key_nid, sender, depth,
      origin_server_ts, json, auth_event_nids, prev_event_ids, state_snapshot_nid, outlier, rejected, rejection_reason, soft_failed)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint[], $11::text[], $12, $13, $14, $15, $16)),
  moved AS (
    UPDATE roomserver.rooms SET state_snapshot_nid = $17, latest_event_nids = $18::bigint[], last_event_nid = $19
    WHERE room_nid = $2 AND state_snapshot_nid = $20 AND latest_event_nids = $21::bigint[]
    RETURNING 1),
  ob AS (
    INSERT INTO roomserver.outbox (room_id, payload)
    SELECT $22, p FROM jsonb_array_elements($23::jsonb) WITH ORDINALITY AS u(p, i) ORDER BY i
    RETURNING outbox_id)${withTransaction ? `,
  txn AS (
    INSERT INTO roomserver.send_transactions (room_id, sender, device_id, txn_id, event_type, event_id, created_ts)
    VALUES ($24, $25, $26, $27, $28, $29, $30))` : ""}
  SELECT 1 / (SELECT count(*)::int FROM moved) AS moved, array(SELECT outbox_id FROM ob ORDER BY outbox_id) AS outbox_ids`;
const WITH_TRANSACTION = STATEMENT(true);
// unsafe() statements are not prepared unless asked: each would then describe its parameters first, a round trip more.
const PREPARED = { prepare: true } as const;
const WITHOUT_TRANSACTION = STATEMENT(false);

export async function commitInOneStatement(sql: Sql, c: OneStatementCommit): Promise<OneStatementCommitResult> {
  const e = c.event;
  const r = c.room;
  // One statement: its data-modifying CTEs commit together or not at all (autocommit), and it
  // travels as one message — on a two-core machine every socket write to PostgreSQL costs more
  // CPU than the statement itself. Outbox rows go in with their index so IDs pair up in order.
  const t = c.sendTransaction;
  const jsons = c.outputs.map((o) => JSON.stringify(o));
  const params: unknown[] = [
    e.eventNid, e.roomNid, e.eventId, e.eventTypeNid, e.eventStateKeyNid ?? null, e.sender, e.depth,
    e.originServerTs, e.json, (e.authEventNids ?? []) as number[], (e.prevEventIds ?? []) as string[],
    e.stateSnapshotNid ?? 0, e.outlier ?? false, e.rejected ?? false, e.rejectionReason ?? null, e.softFailed ?? false,
    r.to.stateSnapshotNid, [...r.to.latestEventNids], r.to.lastEventNid,
    r.from.stateSnapshotNid, [...r.from.latestEventNids],
    r.roomId, `[${jsons.join(",")}]`,
  ];
  if (t) params.push(t.key.roomId, t.key.sender, t.key.deviceId, t.key.txnId, t.key.eventType, t.eventId, t.createdTs);
  try {
    const rows = (await sql.unsafe(t ? WITH_TRANSACTION : WITHOUT_TRANSACTION, params as Parameters<Sql["unsafe"]>[1], PREPARED)) as unknown as { moved: number; outbox_ids: (string | number)[] }[];
    const ids = rows[0]!.outbox_ids.map(Number);
    return { committed: true, outbox: c.outputs.map((payload, i) => ({ outboxId: ids[i]!, roomId: r.roomId, payload, json: jsons[i]! })) };
  } catch (err) {
    const pg = err as { code?: string; table_name?: string };
    if (pg.code === "22012") return { committed: false, reason: "room_moved" };
    if (pg.code === "23505" && pg.table_name === "events") return { committed: false, reason: "duplicate_event" };
    if (pg.code === "23505" && pg.table_name === "send_transactions") return { committed: false, reason: "duplicate_transaction" };
    throw err;
  }
}
