/**
 * `unread_counts`: each user's unread notification counts per room, from userapi's
 * OutputNotificationData. Counts are the user's own data, like account data: a change takes the
 * next account-data position under the writers' lock, the position bumped in the same
 * statement, so a /sync token's account-data part covers both and never skips a change.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { Notice } from "./hot-path";
import { num, type Raw } from "./raw";

export interface UnreadCountsRow {
  roomId: string;
  notificationCount: number;
  highlightCount: number;
  pos: number;
}

/**
 * Stores the counts of a room's users that are newer than ours (userapi's streamPos); returns
 * the users whose counts changed (none for a redelivery).
 */
export async function upsertUnreadCounts(
  sql: Sql,
  roomId: string,
  counts: ReadonlyArray<{ userId: string; notificationCount: number; highlightCount: number; streamPos: number }>,
  notice?: Notice,
): Promise<string[]> {
  const input = counts.map((c) => ({ user_id: c.userId, n: c.notificationCount, h: c.highlightCount, source_pos: c.streamPos }));
  const rows = await sql`
    WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('syncapi.stream_writers')) AS locked),
    w AS (
      INSERT INTO syncapi.unread_counts AS t (user_id, room_id, notification_count, highlight_count, source_pos, pos)
      SELECT x.user_id, ${roomId}::text, x.n, x.h, x.source_pos, nextval('syncapi.account_data_pos')
      FROM lock, jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS x(user_id text, n int8, h int8, source_pos int8)
      ON CONFLICT (user_id, room_id) DO UPDATE
        SET notification_count = EXCLUDED.notification_count, highlight_count = EXCLUDED.highlight_count,
            source_pos = EXCLUDED.source_pos, pos = EXCLUDED.pos
        WHERE t.source_pos < EXCLUDED.source_pos
      RETURNING t.user_id, t.pos
    ),
    bump AS (
      UPDATE syncapi.stream_positions sp SET prev_pos = sp.pos, pos = GREATEST(sp.pos, (SELECT max(pos) FROM w))
      WHERE sp.name = 'account_data' AND EXISTS (SELECT 1 FROM w) RETURNING sp.pos
    )
    SELECT w.user_id, (SELECT count(*) FROM bump) AS bumped
      ${notice ? sql`, pg_notify(${notice.channel}::text, ${notice.payload}::text)` : sql``}
    FROM w`;
  return (rows as unknown as Raw[]).map((r) => r.user_id as string);
}

/** Every room's counts of the user (a row per room that ever had a notification). */
export async function unreadCountsOf(sql: Sql, userId: string): Promise<UnreadCountsRow[]> {
  const rows = await sql`
    SELECT room_id, notification_count, highlight_count, pos FROM syncapi.unread_counts WHERE user_id = ${userId}::text`;
  return (rows as unknown as Raw[]).map((r) => ({
    roomId: r.room_id as string,
    notificationCount: num(r.notification_count),
    highlightCount: num(r.highlight_count),
    pos: num(r.pos),
  }));
}

/** A purged room's counts go with it. */
export async function deleteRoomUnreadCounts(sql: Sql, roomId: string): Promise<void> {
  await sql`DELETE FROM syncapi.unread_counts WHERE room_id = ${roomId}::text`;
}
