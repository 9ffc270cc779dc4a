/** Queries on `roomserver.events`: every event we hold, with its canonical JSON and flags. */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { events } from "./schema";

export type EventRow = typeof events.$inferSelect;
/** `eventNid` may be preallocated (allocateEventNid) or left to the sequence. */
export type NewEventRow = typeof events.$inferInsert;

export interface EventQueries {
  /** A fresh event NID, taken before the event's transaction so its state can be written first. */
  allocateEventNid(): Promise<number>;
  /** Stores events; an event already stored keeps its row. Returns the NID of each, new or old. */
  insertEvents(rows: readonly NewEventRow[]): Promise<Map<string, { eventNid: number; inserted: boolean }>>;
  eventsByIds(eventIds: readonly string[]): Promise<EventRow[]>;
  eventsByNids(eventNids: readonly number[]): Promise<EventRow[]>;
  /** NIDs of stored events by ID (rejected ones included). */
  eventNidsByIds(eventIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * An outlier whose state is now known joins the DAG (with the verdict of the full checks).
   * False when it was no longer an outlier (another input got there first).
   */
  upgradeOutlier(eventNid: number, u: { stateSnapshotNid: number; rejected: boolean; rejectionReason: string | null; softFailed: boolean }): Promise<boolean>;
  /** Marks an event redacted by a validated redaction. */
  setRedactedBy(eventId: string, redactionId: string): Promise<void>;
  /** The auth chain of the events: every event reachable through auth_event_nids, the events excluded. */
  authChainNids(eventNids: readonly number[]): Promise<number[]>;
  /** The room's greatest depth among the given events (for the next event's depth). */
  maxDepth(eventNids: readonly number[]): Promise<number>;
}

export function eventQueries(db: Executor): EventQueries {
  return {
    async allocateEventNid() {
      const res = (await db.execute(sql`SELECT nextval('roomserver.events_event_nid_seq') AS nid`)) as unknown;
      // postgres.js answers an array of rows; node-postgres a result with `rows`.
      const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { nid: string }[];
      return Number(rows[0]!.nid);
    },
    async insertEvents(rows) {
      const out = new Map<string, { eventNid: number; inserted: boolean }>();
      if (rows.length === 0) return out;
      const inserted = await db
        .insert(events)
        .values([...rows])
        .onConflictDoNothing({ target: events.eventId })
        .returning({ eventId: events.eventId, eventNid: events.eventNid });
      for (const r of inserted) out.set(r.eventId, { eventNid: r.eventNid, inserted: true });
      const existing = rows.map((r) => r.eventId).filter((id) => !out.has(id));
      if (existing.length > 0) {
        const found = await db
          .select({ eventId: events.eventId, eventNid: events.eventNid })
          .from(events)
          .where(inArray(events.eventId, existing));
        for (const r of found) out.set(r.eventId, { eventNid: r.eventNid, inserted: false });
      }
      return out;
    },
    async eventsByIds(eventIds) {
      if (eventIds.length === 0) return [];
      return db.select().from(events).where(inArray(events.eventId, [...eventIds]));
    },
    async eventsByNids(eventNids) {
      if (eventNids.length === 0) return [];
      return db.select().from(events).where(inArray(events.eventNid, [...eventNids]));
    },
    async eventNidsByIds(eventIds) {
      if (eventIds.length === 0) return new Map();
      const rows = await db
        .select({ eventId: events.eventId, eventNid: events.eventNid })
        .from(events)
        .where(inArray(events.eventId, [...eventIds]));
      return new Map(rows.map((r) => [r.eventId, r.eventNid]));
    },
    async upgradeOutlier(eventNid, u) {
      const rows = await db
        .update(events)
        .set({ ...u, outlier: false })
        .where(and(eq(events.eventNid, eventNid), eq(events.outlier, true)))
        .returning({ eventNid: events.eventNid });
      return rows.length > 0;
    },
    async setRedactedBy(eventId, redactionId) {
      await db.update(events).set({ redactedBy: redactionId }).where(eq(events.eventId, eventId));
    },
    async authChainNids(eventNids) {
      if (eventNids.length === 0) return [];
      // One recursive query rather than a round trip per generation.
      const res = (await db.execute(sql`
        WITH RECURSIVE chain(nid) AS (
          SELECT unnest(auth_event_nids) FROM roomserver.events WHERE event_nid = ANY(${`{${eventNids.join(",")}}`}::bigint[])
          UNION
          SELECT unnest(e.auth_event_nids) FROM roomserver.events e JOIN chain c ON e.event_nid = c.nid
        )
        SELECT nid FROM chain`)) as unknown;
      const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { nid: string | number }[];
      return rows.map((r) => Number(r.nid));
    },
    async maxDepth(eventNids) {
      if (eventNids.length === 0) return 0;
      const [row] = await db
        .select({ d: sql<number | null>`max(${events.depth})` })
        .from(events)
        .where(inArray(events.eventNid, [...eventNids]));
      return Number(row?.d ?? 0);
    },
  };
}
