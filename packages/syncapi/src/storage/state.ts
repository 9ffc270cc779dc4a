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

/**
 * Applies a state change at `pos`: the removed event IDs and anything the adds replace stop
 * being current, the adds become current. Returns the rows that stopped being current.
 */
export async function applyStateDelta(db: Executor, roomId: string, pos: number, adds: readonly StateAdd[], removedEventIds: readonly string[]): Promise<StateRow[]> {
  const replaced: StateRow[] = [];
  if (removedEventIds.length > 0) {
    const removed = await db
      .update(t)
      .set({ removedPos: pos })
      .where(and(eq(t.roomId, roomId), inArray(t.eventId, [...removedEventIds]), isNull(t.removedPos)))
      .returning();
    replaced.push(...removed);
  }
  for (const add of adds) {
    const old = await db
      .select()
      .from(t)
      .where(and(eq(t.roomId, roomId), eq(t.type, add.type), eq(t.stateKey, add.stateKey), isNull(t.removedPos)));
    if (old[0]?.eventId === add.eventId) continue;
    if (old[0]) {
      await db.update(t).set({ removedPos: pos }).where(eq(t.id, old[0].id));
      replaced.push(old[0]);
    }
    await db.insert(t).values({ roomId, type: add.type, stateKey: add.stateKey, eventId: add.eventId, membership: add.membership, addedPos: pos });
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
