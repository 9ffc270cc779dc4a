/** Queries on `output_room_events`: the timeline rows /sync, /messages and /context read. */
import { and, asc, desc, eq, gt, inArray, lte, lt, gte, ne, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "./db";
import { eventFilterSql, type SqlEventFilter } from "./event-filter";
import { outputRoomEvents as t } from "./schema";

export type StoredEvent = typeof t.$inferSelect;
export type NewEventRow = Omit<StoredEvent, "pos" | "redactedBecause">;

/** A point in a room's topological order: between events, just before (depth, pos). */
export interface TopoPoint {
  depth: number;
  pos: number;
}

/**
 * Inserts the event at the next stream position; undefined when its ID is already stored. A
 * row held only as state (outlier) that now arrives as a timeline or history event is upgraded
 * in place and moves to the new position, where /sync will find it.
 */
export async function insertEvent(db: Executor, row: NewEventRow): Promise<number | undefined> {
  const next = sql`nextval('syncapi.stream_pos')`;
  const got = await db
    .insert(t)
    .values({ ...row, pos: next })
    .onConflictDoUpdate({
      target: t.eventId,
      set: { pos: next, originKind: row.originKind, txnId: row.txnId, txnDeviceId: row.txnDeviceId, excluded: row.excluded },
      setWhere: and(eq(t.originKind, "outlier"), sql`${row.originKind} <> 'outlier'`),
    })
    .returning({ pos: t.pos });
  return got[0]?.pos;
}

/** Inserts many (state fetched for a join), positions in row order; returns the ones stored. */
export async function insertEvents(db: Executor, rows: readonly NewEventRow[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500).map((r) => ({ ...r, pos: sql`nextval('syncapi.stream_pos')` }));
    out.push(...(await db.insert(t).values(batch).onConflictDoNothing({ target: t.eventId }).returning()));
  }
  return out;
}

export async function eventsByIds(db: Executor, eventIds: readonly string[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let i = 0; i < eventIds.length; i += 1000) out.push(...(await db.select().from(t).where(inArray(t.eventId, eventIds.slice(i, i + 1000)))));
  return out;
}

export async function setRedacted(db: Executor, eventId: string, json: Record<string, unknown>, because: Record<string, unknown>): Promise<boolean> {
  const got = await db.update(t).set({ eventJson: json, redactedBecause: because, unsignedExtra: {}, relatesTo: null, relType: null }).where(eq(t.eventId, eventId)).returning({ pos: t.pos });
  return got.length > 0;
}

/** Replaces the copy of `redactionId` in `eventId`'s unsigned.redacted_because, if that is the one it holds. */
export async function refreshRedactedBecause(db: Executor, eventId: string, redactionId: string, because: Record<string, unknown>): Promise<void> {
  await db
    .update(t)
    .set({ redactedBecause: because })
    .where(and(eq(t.eventId, eventId), sql`${t.redactedBecause}->>'event_id' = ${redactionId}`));
}

export async function deleteRoomEvents(db: Executor, roomId: string): Promise<void> {
  await db.delete(t).where(eq(t.roomId, roomId));
}

/** Children of any of these events (for recursive /relations), with their relation types. */
export async function childrenOf(db: Executor, roomId: string, parents: readonly string[]): Promise<{ eventId: string; relatesTo: string }[]> {
  if (parents.length === 0) return [];
  return db
    .select({ eventId: t.eventId, relatesTo: t.relatesTo })
    .from(t)
    .where(and(eq(t.roomId, roomId), inArray(t.relatesTo, [...parents]), eq(t.excluded, false)))
    .then((rows) => rows.map((r) => ({ eventId: r.eventId, relatesTo: r.relatesTo! })));
}

/**
 * Children of these events by relation type (edits, references), oldest first. Only children in
 * their parent's room: a relation across rooms is ignored (client-server API, "Forming
 * relationships between events").
 */
export async function childrenByType(db: Executor, parents: readonly string[], relTypes: readonly string[]): Promise<StoredEvent[]> {
  if (parents.length === 0) return [];
  const sameRoomAsParent = sql`EXISTS (SELECT 1 FROM syncapi.output_room_events p WHERE p.event_id = ${t.relatesTo} AND p.room_id = ${t.roomId})`;
  return db
    .select()
    .from(t)
    .where(and(inArray(t.relatesTo, [...parents]), inArray(t.relType, [...relTypes]), eq(t.excluded, false), sameRoomAsParent))
    .orderBy(asc(t.pos));
}

/** Rows clients may ever see in a timeline (not soft-failed, not state-only outliers). */
const visibleRows = and(eq(t.excluded, false), inArray(t.originKind, ["new", "old"]));

/**
 * The newest `limit` timeline events of a room with after < pos <= upTo (newest first), only
 * events that arrived live (backfilled history is for /messages).
 */
export async function latestInRange(db: Executor, roomId: string, after: number, upTo: number, limit: number, f?: SqlEventFilter): Promise<StoredEvent[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.roomId, roomId), gt(t.pos, after), lte(t.pos, upTo), eq(t.excluded, false), eq(t.originKind, "new"), eventFilterSql(f)))
    .orderBy(desc(t.pos))
    .limit(limit);
}

/**
 * The room's timeline events nearest to `ts` by origin_server_ts in one direction (f: at or
 * after it, oldest first; b: at or before it, newest first), ties in stream order; `past` goes
 * on after a page's last event. Not indexed: a jump to a date is rare, and an index would cost
 * every message's write.
 */
export async function nearestByTimestamp(
  db: Executor,
  roomId: string,
  ts: number,
  dir: "f" | "b",
  limit: number,
  past?: { ts: number; pos: number },
): Promise<StoredEvent[]> {
  // A timestamp that is not a number (never from us; a malformed event) is no candidate.
  const when = sql`(CASE WHEN jsonb_typeof(${t.eventJson}->'origin_server_ts') = 'number' THEN (${t.eventJson}->>'origin_server_ts')::numeric END)`;
  const bound = dir === "f" ? sql`${when} >= ${ts}::numeric` : sql`${when} <= ${ts}::numeric`;
  const next = past && (dir === "f" ? sql`(${when}, ${t.pos}) > (${past.ts}::numeric, ${past.pos}::int8)` : sql`(${when}, ${t.pos}) < (${past.ts}::numeric, ${past.pos}::int8)`);
  return db
    .select()
    .from(t)
    .where(and(eq(t.roomId, roomId), eq(t.excluded, false), ne(t.originKind, "outlier"), bound, next))
    .orderBy(...(dir === "f" ? [asc(when), asc(t.pos)] : [desc(when), desc(t.pos)]))
    .limit(limit);
}

/** Rooms among `roomIds` with any live event in (after, upTo]. */
export async function roomsWithEvents(db: Executor, roomIds: readonly string[], after: number, upTo: number): Promise<Set<string>> {
  if (roomIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ roomId: t.roomId })
    .from(t)
    .where(and(inArray(t.roomId, [...roomIds]), gt(t.pos, after), lte(t.pos, upTo), eq(t.excluded, false), eq(t.originKind, "new")));
  return new Set(rows.map((r) => r.roomId));
}

/**
 * A page in topological order from a point: backwards = events before it, newest first;
 * forwards = events at or after it, oldest first. `bound` stops the page (exclusive for b,
 * inclusive-exclusive for f like `from`).
 */
export async function topoPage(
  db: Executor,
  roomId: string,
  from: TopoPoint,
  dir: "b" | "f",
  limit: number,
  opts: { to?: TopoPoint; maxPos?: number; filter?: SqlEventFilter } = {},
): Promise<StoredEvent[]> {
  const before = (p: TopoPoint) => or(lt(t.depth, p.depth), and(eq(t.depth, p.depth), lt(t.pos, p.pos)));
  const atOrAfter = (p: TopoPoint) => or(gt(t.depth, p.depth), and(eq(t.depth, p.depth), gte(t.pos, p.pos)));
  const conds: (SQL | undefined)[] = [eq(t.roomId, roomId), visibleRows, eventFilterSql(opts.filter)];
  if (opts.maxPos !== undefined) conds.push(lte(t.pos, opts.maxPos));
  if (dir === "b") {
    conds.push(before(from));
    if (opts.to) conds.push(atOrAfter(opts.to));
  } else {
    conds.push(atOrAfter(from));
    if (opts.to) conds.push(before(opts.to));
  }
  const order = dir === "b" ? [desc(t.depth), desc(t.pos)] : [asc(t.depth), asc(t.pos)];
  return db
    .select()
    .from(t)
    .where(and(...conds))
    .orderBy(...order)
    .limit(limit);
}

/** The topological point just after the newest timeline event with pos <= maxPos (a sync token as a /messages point). */
export async function pointAfterPos(db: Executor, roomId: string, maxPos: number): Promise<TopoPoint> {
  const rows = await db
    .select({ depth: t.depth, pos: t.pos })
    .from(t)
    .where(and(eq(t.roomId, roomId), lte(t.pos, maxPos), visibleRows))
    .orderBy(desc(t.depth), desc(t.pos))
    .limit(1);
  const last = rows[0];
  return last ? { depth: last.depth, pos: last.pos + 1 } : { depth: 0, pos: 0 };
}

export async function setUnsignedExtra(db: Executor, eventId: string, extra: Record<string, unknown>): Promise<void> {
  await db.update(t).set({ unsignedExtra: extra }).where(eq(t.eventId, eventId));
}
