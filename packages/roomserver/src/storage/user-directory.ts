/**
 * The user directory's search (client-server API, "User directory"): joined members, by the words
 * of their user ID and of the displayname their join carries, among the rooms the searcher may
 * see into — the rooms they are joined to and every public room (join rule `public` or history
 * `world_readable`) — or among every room. The searcher is found only in a public room (never
 * with every room searched), as Synapse does. One statement whatever the number of rooms.
 */
import { sql } from "drizzle-orm";
import type { Executor } from "./db";

export interface DirectoryHit {
  userId: string;
  displayName: string | null;
  avatarUrl: string | null;
}

export interface UserDirectoryQueries {
  /**
   * Up to `limit` users each of whose `words` begins a word of their user ID or display name,
   * best first: more words matched whole, then those with a display name, then with an avatar,
   * then by user ID. A user in several rooms is matched per room and shown by their best match.
   */
  searchUserDirectory(q: { searcher: string; words: readonly string[]; limit: number; allRooms: boolean }): Promise<DirectoryHit[]>;
}

export function userDirectoryQueries(db: Executor): UserDirectoryQueries {
  return {
    async searchUserDirectory({ searcher, words, limit, allRooms }) {
      if (words.length === 0 || limit <= 0) return [];
      // A word per LIKE over the stored search key, its pattern made here: the words hold letters,
      // digits and marks only (search-words.ts), so nothing in them is a LIKE wildcard. Up to
      // MAX_SEARCH_WORDS statement shapes, each prepared once.
      const everyWordBegins = sql.join(words.map((w) => sql`m.search_key LIKE ${`% ${w}%`}`), sql` AND `);
      const wholeWords = sql.join(words.map((w) => sql`(m.search_key LIKE ${`% ${w} %`})::int`), sql` + `);
      const res = (await db.execute(sql`
        WITH searcher AS (
          SELECT event_state_key_nid AS nid FROM roomserver.event_state_keys WHERE event_state_key = ${searcher}
        ),
        shared AS (
          SELECT room_nid FROM roomserver.memberships
          WHERE target_nid = (SELECT nid FROM searcher) AND membership = 'join'
        ),
        public_rooms AS (
          SELECT room_nid FROM roomserver.room_visibility
          WHERE join_rule = 'public' OR history_visibility = 'world_readable'
        ),
        matched AS (
          SELECT DISTINCT ON (m.target_nid) m.target_nid, m.display_name, m.avatar_url, ${wholeWords} AS whole
          FROM roomserver.memberships m
          WHERE m.membership = 'join' AND ${everyWordBegins}
            -- The searcher finds themselves only as a member of a public room (as Synapse does).
            AND CASE WHEN m.target_nid = (SELECT nid FROM searcher) THEN NOT ${allRooms}::boolean AND m.room_nid IN (SELECT room_nid FROM public_rooms)
              ELSE ${allRooms}::boolean OR m.room_nid IN (SELECT room_nid FROM shared) OR m.room_nid IN (SELECT room_nid FROM public_rooms) END
          ORDER BY m.target_nid, whole DESC, m.display_name IS NULL, m.avatar_url IS NULL, m.event_nid DESC
        )
        SELECT k.event_state_key AS user_id, x.display_name, x.avatar_url FROM matched x
        JOIN roomserver.event_state_keys k ON k.event_state_key_nid = x.target_nid
        ORDER BY x.whole DESC, x.display_name IS NULL, x.avatar_url IS NULL, k.event_state_key
        LIMIT ${limit}`)) as unknown;
      const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { user_id: string; display_name: string | null; avatar_url: string | null }[];
      return rows.map((r) => ({ userId: r.user_id, displayName: r.display_name, avatarUrl: r.avatar_url }));
    },
  };
}
