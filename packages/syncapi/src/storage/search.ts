/**
 * Full-text search over `output_room_events` (POST /search): PostgreSQL text search on the
 * expression index of migration 0005, queried with websearch_to_tsquery('english', …) and
 * ranked with ts_rank_cd, as Synapse does on PostgreSQL. The expression here must be the
 * index's, or the index is not used.
 */
import { and, desc, eq, inArray, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "./db";
import { eventFilterSql, type SqlEventFilter } from "./event-filter";
import type { StoredEvent } from "./events";
import { outputRoomEvents as t } from "./schema";

/** The event types the index covers, by the key clients name (each key is one type's). */
export const SEARCH_KEY_TYPES = {
  "content.body": "m.room.message",
  "content.name": "m.room.name",
  "content.topic": "m.room.topic",
} as const;
export type SearchKey = keyof typeof SEARCH_KEY_TYPES;

const vector = sql`to_tsvector('english', syncapi.search_text(${t.type}, ${t.eventJson}))`;
const query = (term: string) => sql`websearch_to_tsquery('english', ${term})`;
const rankOf = (term: string) => sql`ts_rank_cd(${vector}, ${query(term)})`;
const tsOf = sql`(CASE WHEN jsonb_typeof(${t.eventJson}->'origin_server_ts') = 'number' THEN (${t.eventJson}->>'origin_server_ts')::numeric ELSE 0 END)`;

/** A room searched, and the last position the user may read there (left rooms). */
export interface SearchRoom {
  roomId: string;
  upTo?: number;
}

export interface SearchQuery {
  term: string;
  keys: readonly SearchKey[];
  rooms: readonly SearchRoom[];
  /** The client's RoomEventFilter (its lists, not its limit). */
  filter?: SqlEventFilter;
  /** Senders none of whose events are returned (the user's ignore list). */
  excludeSenders?: readonly string[];
  order: "rank" | "recent";
}

/** Where a page ended, in the order's terms: rank (exact float4 text) or origin_server_ts, then pos. */
export interface SearchCursor {
  key: string;
  pos: number;
}

export interface SearchHit {
  event: StoredEvent;
  /** ts_rank_cd as PostgreSQL printed it (exact), for cursors. */
  rank: string;
  /** The ordering key of the row (rank or origin_server_ts), for cursors. */
  key: string;
}

function conditions(q: SearchQuery): SQL | undefined {
  if (q.rooms.length === 0 || q.keys.length === 0) return sql`false`;
  const whole = q.rooms.filter((r) => r.upTo === undefined).map((r) => r.roomId);
  const bounded = q.rooms.filter((r) => r.upTo !== undefined).map((r) => and(eq(t.roomId, r.roomId), lte(t.pos, r.upTo!)));
  return and(
    or(...(whole.length > 0 ? [inArray(t.roomId, whole)] : []), ...bounded),
    inArray(t.type, q.keys.map((k) => SEARCH_KEY_TYPES[k])),
    sql`${vector} @@ ${query(q.term)}`,
    eq(t.excluded, false),
    inArray(t.originKind, ["new", "old"]),
    eventFilterSql(q.filter),
    q.excludeSenders?.length ? notInArray(t.sender, [...q.excludeSenders]) : undefined,
  );
}

/** The next `limit` matches after `after`, best (or newest) first. */
export async function searchEvents(db: Executor, q: SearchQuery, limit: number, after?: SearchCursor): Promise<SearchHit[]> {
  const rank = rankOf(q.term);
  const key = q.order === "rank" ? sql`${rank}` : tsOf;
  const cast = q.order === "rank" ? sql`real` : sql`numeric`;
  const past = after ? sql`(${key} < ${after.key}::${cast} OR (${key} = ${after.key}::${cast} AND ${t.pos} < ${after.pos}))` : undefined;
  const rows = await db
    .select({ event: t, rank: sql<string>`(${rank})::text`, key: sql<string>`(${key})::text` })
    .from(t)
    .where(and(conditions(q), past))
    .orderBy(desc(key), desc(t.pos))
    .limit(limit);
  return rows;
}

/** How many events match in all (before visibility: the spec allows an estimate). */
export async function countSearch(db: Executor, q: SearchQuery): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(t).where(conditions(q));
  return rows[0]?.n ?? 0;
}

/** Which of these rooms and senders still have matches past `after` (a group's next_batch). */
export async function groupsWithMore(
  db: Executor,
  q: SearchQuery,
  after: SearchCursor,
  groups: { roomIds: readonly string[]; senders: readonly string[] },
): Promise<{ roomIds: Set<string>; senders: Set<string> }> {
  const key = q.order === "rank" ? sql`${rankOf(q.term)}` : tsOf;
  const cast = q.order === "rank" ? sql`real` : sql`numeric`;
  const past = sql`(${key} < ${after.key}::${cast} OR (${key} = ${after.key}::${cast} AND ${t.pos} < ${after.pos}))`;
  const [rooms, senders] = await Promise.all([
    groups.roomIds.length === 0
      ? []
      : db.selectDistinct({ v: t.roomId }).from(t).where(and(conditions(q), past, inArray(t.roomId, [...groups.roomIds]))),
    groups.senders.length === 0
      ? []
      : db.selectDistinct({ v: t.sender }).from(t).where(and(conditions(q), past, inArray(t.sender, [...groups.senders]))),
  ]);
  return { roomIds: new Set(rooms.map((r) => r.v)), senders: new Set(senders.map((r) => r.v)) };
}

/**
 * The words of these events that the query matched, lowercased (the response's `highlights`):
 * what ts_headline marks, so stemmed forms ("martian" for "martians") are found too.
 */
export async function searchHighlights(db: Executor, term: string, events: readonly StoredEvent[]): Promise<string[]> {
  const texts = events.map((e) => searchText(e)).filter((s): s is string => s !== undefined && s !== "");
  if (texts.length === 0) return [];
  // Markers no text contains, as StartSel/StopSel.
  let open = "<";
  let close = ">";
  while (texts.some((s) => s.includes(open))) open += "<";
  while (texts.some((s) => s.includes(close))) close += ">";
  const opts = `StartSel=${open}, StopSel=${close}, MaxFragments=50`;
  const values = sql.join(
    texts.map((x) => sql`(${x})`),
    sql`, `,
  );
  const rows = (await db.execute(sql`SELECT ts_headline('english', x, ${query(term)}, ${opts}) AS h FROM (VALUES ${values}) AS v(x)`)) as unknown as { h: string }[];
  const found = new Set<string>();
  const re = new RegExp(`${escapeRe(open)}(.*?)${escapeRe(close)}`, "gs");
  for (const r of rows) for (const m of r.h.matchAll(re)) found.add(m[1]!.toLowerCase());
  return [...found];
}

/** The text the index holds for an event (search_text in SQL). */
function searchText(e: StoredEvent): string | undefined {
  const c = e.eventJson.content as Record<string, unknown> | undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  if (e.type === "m.room.message") return str(c?.body);
  if (e.type === "m.room.name") return str(c?.name);
  if (e.type !== "m.room.topic") return undefined;
  const plain = ((c?.["m.topic"] as Record<string, unknown> | undefined)?.["m.text"] as unknown[] | undefined)?.find?.(
    (r) => typeof r === "object" && r !== null && ((r as Record<string, unknown>).mimetype ?? "text/plain") === "text/plain",
  ) as Record<string, unknown> | undefined;
  return str(c?.topic) ?? str(plain?.body);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
