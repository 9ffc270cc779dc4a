/** Thread roots of a room (`m.thread` relations in output_room_events), newest activity first. */
import { sql } from "drizzle-orm";
import type { Executor } from "./db";

/** Replies from these senders are not counted nor shown as latest (m.ignored_user_list; "Aggregations"). */
function notFrom(ignored: readonly string[] | undefined) {
  return ignored?.length ? sql`AND c.sender NOT IN (${sql.join(ignored.map((id) => sql`${id}`), sql`, `)})` : sql``;
}

export interface ThreadRow {
  rootId: string;
  /** Position of the thread's newest reply: the order, and the paging point. */
  latestPos: number;
  latestId: string;
  count: number;
  /** The user sent the root or a reply. */
  participated: boolean;
}

export async function threadRoots(
  db: Executor,
  roomId: string,
  userId: string,
  opts: { beforePos: number; limit: number; participatedOnly: boolean; ignored?: readonly string[] },
): Promise<ThreadRow[]> {
  const participated = sql`(bool_or(c.sender = ${userId}) OR bool_or(r.sender = ${userId}))`;
  const rows = await db.execute<{ root: string; latest: string; latest_id: string; n: number; participated: boolean }>(sql`
    SELECT c.relates_to AS root, max(c.pos) AS latest, (array_agg(c.event_id ORDER BY c.pos DESC))[1] AS latest_id,
           count(*)::int AS n, ${participated} AS participated
    FROM syncapi.output_room_events c
    JOIN syncapi.output_room_events r ON r.event_id = c.relates_to AND r.room_id = c.room_id
    WHERE c.room_id = ${roomId} AND c.rel_type = 'm.thread' AND NOT c.excluded AND NOT r.excluded ${notFrom(opts.ignored)}
    GROUP BY c.relates_to
    HAVING max(c.pos) < ${opts.beforePos} ${opts.participatedOnly ? sql`AND ${participated}` : sql``}
    ORDER BY latest DESC
    LIMIT ${opts.limit}`);
  return (rows as unknown as { root: string; latest: string; latest_id: string; n: number; participated: boolean }[]).map((r) => ({
    rootId: r.root,
    latestPos: Number(r.latest),
    latestId: r.latest_id,
    count: r.n,
    participated: r.participated,
  }));
}

export interface ThreadSummaryRow {
  rootId: string;
  count: number;
  latestId: string;
  /** The user sent a reply (the root's sender is checked by the caller). */
  replied: boolean;
}

/** m.thread summaries of these roots, for bundled aggregations: only replies in the root's room count. */
export async function threadSummaries(db: Executor, rootIds: readonly string[], userId: string, ignored?: readonly string[]): Promise<ThreadSummaryRow[]> {
  if (rootIds.length === 0) return [];
  const rows = await db.execute<{ root: string; n: number; latest_id: string; replied: boolean }>(sql`
    SELECT c.relates_to AS root, count(*)::int AS n, (array_agg(c.event_id ORDER BY c.pos DESC))[1] AS latest_id,
           bool_or(c.sender = ${userId}) AS replied
    FROM syncapi.output_room_events c
    JOIN syncapi.output_room_events r ON r.event_id = c.relates_to AND r.room_id = c.room_id
    WHERE c.relates_to IN ${sql`(${sql.join(rootIds.map((id) => sql`${id}`), sql`, `)})`} AND c.rel_type = 'm.thread' AND NOT c.excluded ${notFrom(ignored)}
    GROUP BY c.relates_to`);
  return (rows as unknown as { root: string; n: number; latest_id: string; replied: boolean }[]).map((r) => ({
    rootId: r.root,
    count: r.n,
    latestId: r.latest_id,
    replied: r.replied,
  }));
}
