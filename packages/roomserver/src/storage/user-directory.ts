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
      // The words go as one JSON array: one statement text (one prepared statement) for any count.
      // They hold letters, digits and marks only (search-words.ts), so nothing in them is a LIKE wildcard.
      const wordsJson = JSON.stringify(words);
      const res = (await db.execute(sql`
        WITH words AS (
          SELECT value AS w FROM jsonb_array_elements_text(${wordsJson}::jsonb)
        ),
        searcher AS (
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
        candidates AS (
          SELECT m.target_nid, m.event_nid, m.display_name, m.avatar_url,
            k.event_state_key AS user_id,
            ' ' || regexp_replace(lower(k.event_state_key), '[^a-z0-9]+', ' ', 'g') || ' ' AS id_key,
            coalesce(m.name_key, '') AS name_key
          FROM roomserver.memberships m
          JOIN roomserver.event_state_keys k ON k.event_state_key_nid = m.target_nid
          WHERE m.membership = 'join'
            -- The searcher finds themselves only as a member of a public room (as Synapse does).
            AND CASE WHEN k.event_state_key = ${searcher} THEN NOT ${allRooms}::boolean AND m.room_nid IN (SELECT room_nid FROM public_rooms)
              ELSE ${allRooms}::boolean OR m.room_nid IN (SELECT room_nid FROM shared) OR m.room_nid IN (SELECT room_nid FROM public_rooms) END
        ),
        matched AS (
          SELECT DISTINCT ON (c.target_nid) c.user_id, c.display_name, c.avatar_url,
            (SELECT count(*) FROM words WHERE c.id_key LIKE '% ' || w || ' %' OR c.name_key LIKE '% ' || w || ' %') AS whole
          FROM candidates c
          WHERE NOT EXISTS (SELECT 1 FROM words WHERE NOT (c.id_key LIKE '% ' || w || '%' OR c.name_key LIKE '% ' || w || '%'))
          ORDER BY c.target_nid, whole DESC, c.display_name IS NULL, c.avatar_url IS NULL, c.event_nid DESC
        )
        SELECT user_id, display_name, avatar_url FROM matched
        ORDER BY whole DESC, display_name IS NULL, avatar_url IS NULL, user_id
        LIMIT ${limit}`)) as unknown;
      const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { user_id: string; display_name: string | null; avatar_url: string | null }[];
      return rows.map((r) => ({ userId: r.user_id, displayName: r.display_name, avatarUrl: r.avatar_url }));
    },
  };
}
