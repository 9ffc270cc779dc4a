/** Queries on `memberships`: each user's membership changes, by position (the per-user index). */
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { memberships as t } from "./schema";

export type MembershipRow = typeof t.$inferSelect;

export async function insertMembership(db: Executor, row: MembershipRow): Promise<void> {
  await db.insert(t).values(row).onConflictDoNothing();
}

/** Each room's latest membership of the user at or before `pos`. */
export async function membershipsAt(db: Executor, userId: string, pos: number): Promise<MembershipRow[]> {
  return db
    .selectDistinctOn([t.roomId])
    .from(t)
    .where(and(eq(t.userId, userId), lte(t.pos, pos)))
    .orderBy(t.roomId, sql`${t.pos} DESC`);
}

/** The user's membership changes in (after, upTo], oldest first. */
export async function membershipChanges(db: Executor, userId: string, after: number, upTo: number): Promise<MembershipRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), gt(t.pos, after), lte(t.pos, upTo)))
    .orderBy(asc(t.pos));
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
