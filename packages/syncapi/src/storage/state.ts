/**
 * Queries on `room_state`: the room state as the syncapi saw it change, one row per state
 * entry and the positions it was live between. Current state is `removed_pos IS NULL`; the
 * state after position p is every row added at or before p and not removed by then.
 */
import { and, asc, eq, gt, inArray, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { roomState as t } from "./schema";

export type StateRow = typeof t.$inferSelect;

export interface StateAdd {
  type: string;
  stateKey: string;
  eventId: string;
  membership: string | null;
}

const liveAfter = (pos: number) => and(lte(t.addedPos, pos), or(isNull(t.removedPos), gt(t.removedPos, pos)));

/** Rows per statement when a list is long (a join's whole state). */
const CHUNK = 1000;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/**
 * Applies a state change at `pos`: the removed event IDs and anything the adds replace stop
 * being current, the adds become current. Returns the rows that stopped being current. A few
 * statements per thousand entries, so a join bringing a big room's state stays cheap.
 */
export async function applyStateDelta(db: Executor, roomId: string, pos: number, adds: readonly StateAdd[], removedEventIds: readonly string[]): Promise<StateRow[]> {
  const replaced: StateRow[] = [];
  for (const ids of chunks(removedEventIds)) {
    const removed = await db
      .update(t)
      .set({ removedPos: pos })
      .where(and(eq(t.roomId, roomId), inArray(t.eventId, ids), isNull(t.removedPos)))
      .returning();
    replaced.push(...removed);
  }
  // Last add per key wins, as if applied in order.
  const byKey = new Map<string, StateAdd>();
  for (const a of adds) byKey.set(JSON.stringify([a.type, a.stateKey]), a);
  for (const batch of chunks([...byKey.values()])) {
    const keys = batch.map((a) => sql`(${a.type}, ${a.stateKey})`);
    const current = await db
      .select()
      .from(t)
      .where(and(eq(t.roomId, roomId), isNull(t.removedPos), sql`(${t.type}, ${t.stateKey}) IN (${sql.join(keys, sql`, `)})`));
    const holder = new Map(current.map((r) => [JSON.stringify([r.type, r.stateKey]), r]));
    const changed = batch.filter((a) => holder.get(JSON.stringify([a.type, a.stateKey]))?.eventId !== a.eventId);
    const old = changed.map((a) => holder.get(JSON.stringify([a.type, a.stateKey]))).filter((r): r is StateRow => r !== undefined);
    if (old.length > 0) {
      await db.update(t).set({ removedPos: pos }).where(inArray(t.id, old.map((r) => r.id)));
      replaced.push(...old);
    }
    if (changed.length > 0) {
      await db.insert(t).values(changed.map((a) => ({ roomId, type: a.type, stateKey: a.stateKey, eventId: a.eventId, membership: a.membership, addedPos: pos })));
    }
  }
  return replaced;
}

/** The state after position `pos` (optionally only some types). */
export async function stateAfter(db: Executor, roomId: string, pos: number, types?: readonly string[]): Promise<StateRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.roomId, roomId), liveAfter(pos), types ? inArray(t.type, [...types]) : undefined));
}

/** Entries of the state after `upTo` that became live after `after`: the delta a client lacks. */
export async function stateChanges(db: Executor, roomId: string, after: number, upTo: number): Promise<StateRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.roomId, roomId), liveAfter(upTo), gt(t.addedPos, after)));
}

/** Member rows of chosen users in the state after `pos`. */
export async function membersAfter(db: Executor, roomId: string, pos: number, userIds?: readonly string[]): Promise<StateRow[]> {
  if (userIds && userIds.length === 0) return [];
  return db
    .select()
    .from(t)
    .where(and(eq(t.roomId, roomId), eq(t.type, "m.room.member"), liveAfter(pos), userIds ? inArray(t.stateKey, [...userIds]) : undefined));
}

/** Every value a state key ever had, oldest first (history visibility, a user's membership). */
export async function keyHistory(db: Executor, roomId: string, type: string, stateKey: string): Promise<StateRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.roomId, roomId), eq(t.type, type), eq(t.stateKey, stateKey)))
    .orderBy(asc(t.addedPos), asc(t.id));
}

/** Up to `n` joined or invited members other than `userId`, oldest first (m.heroes). */
export async function heroes(db: Executor, roomId: string, userId: string, n: number): Promise<string[]> {
  const rows = await db
    .select({ userId: t.stateKey })
    .from(t)
    .where(and(eq(t.roomId, roomId), eq(t.type, "m.room.member"), isNull(t.removedPos), inArray(t.membership, ["join", "invite"]), ne(t.stateKey, userId)))
    .orderBy(asc(t.addedPos))
    .limit(n);
  return rows.map((r) => r.userId);
}

/** Joined and invited counts for the room summary. */
export async function memberCounts(db: Executor, roomId: string): Promise<{ joined: number; invited: number }> {
  const rows = await db
    .select({ membership: t.membership, n: sql<number>`count(*)::int` })
    .from(t)
    .where(and(eq(t.roomId, roomId), eq(t.type, "m.room.member"), isNull(t.removedPos)))
    .groupBy(t.membership);
  const n = (m: string) => rows.find((r) => r.membership === m)?.n ?? 0;
  return { joined: n("join"), invited: n("invite") };
}

export async function deleteRoomState(db: Executor, roomId: string): Promise<void> {
  await db.delete(t).where(eq(t.roomId, roomId));
}
