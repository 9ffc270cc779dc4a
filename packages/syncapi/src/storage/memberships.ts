/** Queries on `memberships`: each user's membership changes, by position (the per-user index). */
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { memberships as t } from "./schema";

export type MembershipRow = typeof t.$inferSelect;

export async function insertMemberships(db: Executor, rows: readonly MembershipRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await db.insert(t).values(rows.slice(i, i + 1000)).onConflictDoNothing();
}

/** Each room's latest membership of the user at or before `pos`. */
export async function membershipsAt(db: Executor, userId: string, pos: number): Promise<MembershipRow[]> {
  return db
    .selectDistinctOn([t.roomId])
    .from(t)
    .where(and(eq(t.userId, userId), lte(t.pos, pos)))
    .orderBy(t.roomId, sql`${t.pos} DESC`);
}

/** The user's memberships in one room, oldest first. */
export async function roomMembershipHistory(db: Executor, userId: string, roomId: string): Promise<MembershipRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.roomId, roomId)))
    .orderBy(asc(t.pos));
}

export async function deleteRoomMemberships(db: Executor, roomId: string): Promise<void> {
  await db.delete(t).where(eq(t.roomId, roomId));
}

/** Rooms the user is joined to now. */
export async function joinedRooms(db: Executor, userId: string): Promise<string[]> {
  const latest = await membershipsAt(db, userId, Number.MAX_SAFE_INTEGER);
  return latest.filter((m) => m.membership === "join").map((m) => m.roomId);
}

/** Rooms the user was ever joined to, with their latest membership and its position (what /search may read). */
export async function roomsEverJoined(db: Executor, userId: string): Promise<{ roomId: string; membership: string; pos: number }[]> {
  const latest = await membershipsAt(db, userId, Number.MAX_SAFE_INTEGER);
  const joined = await db
    .selectDistinct({ roomId: t.roomId })
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.membership, "join")));
  const ever = new Set(joined.map((r) => r.roomId));
  return latest.filter((m) => ever.has(m.roomId)).map((m) => ({ roomId: m.roomId, membership: m.membership, pos: m.pos }));
}

/** Which of `users` are joined now to one of `rooms` (presence: who shares a room with the viewer). */
export async function joinedToAnyOf(db: Executor, users: readonly string[], rooms: readonly string[]): Promise<Set<string>> {
  if (users.length === 0 || rooms.length === 0) return new Set();
  const latest = await db
    .selectDistinctOn([t.userId, t.roomId], { userId: t.userId, membership: t.membership })
    .from(t)
    .where(and(inArray(t.userId, [...users]), inArray(t.roomId, [...rooms])))
    .orderBy(t.userId, t.roomId, sql`${t.pos} DESC`);
  return new Set(latest.filter((r) => r.membership === "join").map((r) => r.userId));
}
