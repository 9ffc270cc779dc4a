/**
 * `receipts`: the latest receipt of each (room, type, user, thread) from eduserver's
 * OutputReceiptEvent, at a position of its own stream (`syncapi.receipt_pos`, the third part of
 * a sync token). Written as the room stream is: under a lock held to commit, the position bumped
 * in the same statement, so a reader's token never skips a receipt committed later.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { Notice } from "./hot-path";
import { num, type Raw } from "./raw";

export interface ReceiptRow {
  roomId: string;
  receiptType: string;
  userId: string;
  /** null: unthreaded. */
  threadId: string | null;
  eventId: string;
  ts: number;
  pos: number;
}

/**
 * Stores a receipt at the next receipt position; undefined when it is the one we hold already
 * (a redelivery: nothing moves, nobody is woken).
 */
export async function upsertReceipt(
  sql: Sql,
  r: { roomId: string; receiptType: string; userId: string; threadId: string | null; eventId: string; ts: number },
  notice?: Notice,
): Promise<number | undefined> {
  const rows = await sql`
    WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('syncapi.receipt_writers')) AS locked),
    w AS (
      INSERT INTO syncapi.receipts AS t (room_id, receipt_type, user_id, thread_id, event_id, ts, pos)
      SELECT ${r.roomId}::text, ${r.receiptType}::text, ${r.userId}::text, ${r.threadId ?? ""}::text, ${r.eventId}::text, ${r.ts}::int8,
        nextval('syncapi.receipt_pos')
      FROM lock
      ON CONFLICT (room_id, receipt_type, user_id, thread_id) DO UPDATE
        SET event_id = EXCLUDED.event_id, ts = EXCLUDED.ts, pos = EXCLUDED.pos
        WHERE (t.event_id, t.ts) IS DISTINCT FROM (EXCLUDED.event_id, EXCLUDED.ts)
      RETURNING t.pos
    ),
    bump AS (UPDATE syncapi.stream_positions sp SET pos = GREATEST(sp.pos, w.pos) FROM w WHERE sp.name = 'receipt' RETURNING sp.pos)
    SELECT w.pos, (SELECT count(*) FROM bump) AS bumped
      ${notice ? sql`, pg_notify(${notice.channel}::text, ${notice.payload}::text)` : sql``}
    FROM w`;
  return rows[0] ? num(rows[0].pos) : undefined;
}

/**
 * The receipt stream's position and, as of it, the receipts of `rooms` after `since`, with every
 * receipt of `allOf` (rooms the client has never been told about: an initial sync, a new join).
 * Another user's m.read.private is never read.
 */
export async function receiptsFor(
  sql: Sql,
  q: { userId: string; rooms: string[]; since: number; allOf: string[] },
): Promise<{ now: number; receipts: ReceiptRow[] }> {
  const rows = await sql`
    WITH rp AS MATERIALIZED (SELECT coalesce(max(pos), 0)::int8 AS now FROM syncapi.stream_positions WHERE name = 'receipt')
    SELECT rp.now, r.room_id, r.receipt_type, r.user_id, r.thread_id, r.event_id, r.ts, r.pos
    FROM rp LEFT JOIN syncapi.receipts r
      ON r.pos <= rp.now
      AND ((r.room_id = ANY(${q.rooms}::text[]) AND r.pos > ${q.since}::int8) OR r.room_id = ANY(${q.allOf}::text[]))
      AND (r.receipt_type <> 'm.read.private' OR r.user_id = ${q.userId}::text)
    ORDER BY r.pos`;
  const now = rows[0] ? num(rows[0].now) : 0;
  const receipts = (rows as unknown as Raw[])
    .filter((r) => r.room_id !== null)
    .map((r) => ({
      roomId: r.room_id as string,
      receiptType: r.receipt_type as string,
      userId: r.user_id as string,
      threadId: (r.thread_id as string) === "" ? null : (r.thread_id as string),
      eventId: r.event_id as string,
      ts: num(r.ts),
      pos: num(r.pos),
    }));
  return { now, receipts };
}

/** A purged room's receipts go with it. */
export async function deleteRoomReceipts(sql: Sql, roomId: string): Promise<void> {
  await sql`DELETE FROM syncapi.receipts WHERE room_id = ${roomId}::text`;
}
