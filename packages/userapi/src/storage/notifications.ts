// Queries on the notification tables (migration 0004): events placed in order, push rule
// outcomes, read positions and the unread counts kept from them. Batch statements take their
// rows as one jsonb parameter, so a message notifying many members costs one round trip.
import { sql } from "drizzle-orm";
import type { Db } from "./db";

/** A notification to store: `localpart`'s rules said the event notifies. */
export interface NotificationInsert {
  localpart: string;
  highlight: boolean;
  actions: unknown[];
}

/** A (user, room)'s counts after a change, with the change's position. */
export interface UnreadCountsRow {
  localpart: string;
  roomId: string;
  notificationCount: number;
  highlightCount: number;
  streamPos: number;
}

export interface NotificationRow {
  roomId: string;
  eventId: string;
  pos: number;
  ts: number;
  highlight: boolean;
  actions: unknown[];
  read: boolean;
}

const num = (v: unknown) => Number(v);

function countsRow(r: Record<string, unknown>): UnreadCountsRow {
  return {
    localpart: String(r.localpart),
    roomId: String(r.room_id),
    notificationCount: num(r.notification_count),
    highlightCount: num(r.highlight_count),
    streamPos: num(r.stream_pos),
  };
}

export function notificationQueries(db: Db) {
  const rows = async (q: ReturnType<typeof sql>) => (await db.execute(q)) as unknown as Record<string, unknown>[];

  return {
    /**
     * Serialises the caller's transaction with every other notification write in the room (new
     * events and receipts), held to commit, so positions and counts are decided in order.
     */
    async lockRoom(roomId: string): Promise<void> {
      await db.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${"dendrite-ts:userapi:push:" + roomId}, 0))`);
    },

    /** Gives the event the next position; undefined when it has one (processed before). */
    async placeEvent(roomId: string, eventId: string): Promise<number | undefined> {
      const r = await rows(sql`
        INSERT INTO userapi.push_events (event_id, room_id, pos)
        VALUES (${eventId}, ${roomId}, nextval('userapi.push_event_pos'))
        ON CONFLICT (event_id) DO NOTHING
        RETURNING pos`);
      return r[0] ? num(r[0].pos) : undefined;
    },

    /** The position of an event processed in this room, if it was. */
    async eventPos(roomId: string, eventId: string): Promise<number | undefined> {
      const r = await rows(sql`SELECT pos FROM userapi.push_events WHERE event_id = ${eventId} AND room_id = ${roomId}`);
      return r[0] ? num(r[0].pos) : undefined;
    },

    /** Receipts that waited for this event, removed and returned. */
    async takePendingReceipts(roomId: string, eventId: string): Promise<Array<{ localpart: string; threadId: string }>> {
      const r = await rows(sql`
        DELETE FROM userapi.pending_receipts WHERE room_id = ${roomId} AND event_id = ${eventId}
        RETURNING localpart, thread_id`);
      return r.map((x) => ({ localpart: String(x.localpart), threadId: String(x.thread_id) }));
    },

    async addPendingReceipt(localpart: string, roomId: string, threadId: string, eventId: string): Promise<void> {
      await db.execute(sql`
        INSERT INTO userapi.pending_receipts (localpart, room_id, thread_id, event_id)
        VALUES (${localpart}, ${roomId}, ${threadId}, ${eventId}) ON CONFLICT DO NOTHING`);
    },

    /**
     * Stores the notifications of one event and adds them to each user's counts, in one
     * statement; returns the counts as they now are. The event is the room's newest, so it is
     * after every read position there and counts as unread.
     */
    async addNotifications(
      ev: { roomId: string; eventId: string; pos: number; threadId: string; ts: number },
      list: readonly NotificationInsert[],
    ): Promise<UnreadCountsRow[]> {
      if (list.length === 0) return [];
      const r = await rows(sql`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(list)}::jsonb) AS x(localpart text, highlight boolean, actions jsonb)
        ),
        ins AS (
          INSERT INTO userapi.notifications (localpart, room_id, event_id, pos, thread_id, ts, highlight, actions)
          SELECT localpart, ${ev.roomId}, ${ev.eventId}, ${ev.pos}, ${ev.threadId}, ${ev.ts}, highlight, actions FROM input
          ON CONFLICT DO NOTHING
        )
        INSERT INTO userapi.unread_counts AS c (localpart, room_id, notification_count, highlight_count, stream_pos)
        SELECT localpart, ${ev.roomId}, 1, CASE WHEN highlight THEN 1 ELSE 0 END, nextval('userapi.notification_count_pos') FROM input
        ON CONFLICT (localpart, room_id) DO UPDATE
          SET notification_count = c.notification_count + 1,
              highlight_count = c.highlight_count + EXCLUDED.highlight_count,
              stream_pos = EXCLUDED.stream_pos
        RETURNING c.localpart, c.room_id, c.notification_count, c.highlight_count, c.stream_pos`);
      return r.map(countsRow);
    },

    /** Moves a read position forward (never back); true when it moved. */
    async advanceReadPosition(localpart: string, roomId: string, threadId: string, pos: number, eventId: string): Promise<boolean> {
      const r = await rows(sql`
        INSERT INTO userapi.read_positions AS p (localpart, room_id, thread_id, pos, event_id)
        VALUES (${localpart}, ${roomId}, ${threadId}, ${pos}, ${eventId})
        ON CONFLICT (localpart, room_id, thread_id) DO UPDATE SET pos = EXCLUDED.pos, event_id = EXCLUDED.event_id
          WHERE p.pos < EXCLUDED.pos
        RETURNING 1 AS moved`);
      return r.length > 0;
    },

    /**
     * Counts the user's unread notifications in the room again (those after both the
     * unthreaded read position and their thread's) and stores them; the new row when they
     * changed, undefined when not (or when there is nothing to count and never was).
     */
    async recount(localpart: string, roomId: string): Promise<UnreadCountsRow | undefined> {
      const r = await rows(sql`
        WITH rp AS (SELECT thread_id, pos FROM userapi.read_positions WHERE localpart = ${localpart} AND room_id = ${roomId}),
        n AS (
          SELECT count(*) AS total, count(*) FILTER (WHERE highlight) AS highlights
          FROM userapi.notifications x
          WHERE x.localpart = ${localpart} AND x.room_id = ${roomId}
            AND x.pos > COALESCE((SELECT pos FROM rp WHERE thread_id = ''), 0)
            AND x.pos > COALESCE((SELECT pos FROM rp WHERE rp.thread_id = x.thread_id), 0)
        )
        INSERT INTO userapi.unread_counts AS c (localpart, room_id, notification_count, highlight_count, stream_pos)
        SELECT ${localpart}, ${roomId}, n.total, n.highlights, nextval('userapi.notification_count_pos') FROM n
        WHERE n.total > 0 OR EXISTS (SELECT 1 FROM userapi.unread_counts WHERE localpart = ${localpart} AND room_id = ${roomId})
        ON CONFLICT (localpart, room_id) DO UPDATE
          SET notification_count = EXCLUDED.notification_count, highlight_count = EXCLUDED.highlight_count, stream_pos = EXCLUDED.stream_pos
          WHERE (c.notification_count, c.highlight_count) IS DISTINCT FROM (EXCLUDED.notification_count, EXCLUDED.highlight_count)
        RETURNING c.localpart, c.room_id, c.notification_count, c.highlight_count, c.stream_pos`);
      return r[0] ? countsRow(r[0]) : undefined;
    },

    /** The stored m.push_rules account data of these users, with its position. */
    async pushRuleVersions(localparts: readonly string[]): Promise<Map<string, number>> {
      if (localparts.length === 0) return new Map();
      const r = await rows(sql`
        SELECT localpart, stream_pos FROM userapi.account_data
        WHERE room_id = '' AND type = 'm.push_rules'
          AND localpart IN (SELECT jsonb_array_elements_text(${JSON.stringify(localparts)}::jsonb))`);
      return new Map(r.map((x) => [String(x.localpart), num(x.stream_pos)]));
    },

    async pushRuleContents(localparts: readonly string[]): Promise<Map<string, { content: unknown; streamPos: number }>> {
      if (localparts.length === 0) return new Map();
      const r = await rows(sql`
        SELECT localpart, content, stream_pos FROM userapi.account_data
        WHERE room_id = '' AND type = 'm.push_rules'
          AND localpart IN (SELECT jsonb_array_elements_text(${JSON.stringify(localparts)}::jsonb))`);
      return new Map(r.map((x) => [String(x.localpart), { content: x.content, streamPos: num(x.stream_pos) }]));
    },

    /**
     * The user's notifications, newest first, from before position `before` (all when
     * undefined); `read` says whether a read position covers it.
     */
    async list(localpart: string, opts: { before?: number | undefined; limit: number; onlyHighlight: boolean }): Promise<NotificationRow[]> {
      const r = await rows(sql`
        SELECT x.room_id, x.event_id, x.pos, x.ts, x.highlight, x.actions,
          (x.pos <= COALESCE((SELECT pos FROM userapi.read_positions p WHERE p.localpart = x.localpart AND p.room_id = x.room_id AND p.thread_id = ''), 0)
           OR x.pos <= COALESCE((SELECT pos FROM userapi.read_positions p WHERE p.localpart = x.localpart AND p.room_id = x.room_id AND p.thread_id = x.thread_id), 0)) AS read
        FROM userapi.notifications x
        WHERE x.localpart = ${localpart}
          ${opts.before !== undefined ? sql`AND x.pos < ${opts.before}` : sql``}
          ${opts.onlyHighlight ? sql`AND x.highlight` : sql``}
        ORDER BY x.pos DESC
        LIMIT ${opts.limit}`);
      return r.map((x) => ({
        roomId: String(x.room_id),
        eventId: String(x.event_id),
        pos: num(x.pos),
        ts: num(x.ts),
        highlight: x.highlight === true,
        actions: x.actions as unknown[],
        read: x.read === true,
      }));
    },
  };
}
