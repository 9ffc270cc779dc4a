/** Queries on `invites`: pending invites of local users, with the stripped state to show. */
import { and, asc, eq, gt, isNull, lte, or } from "drizzle-orm";
import type { Executor } from "./db";
import { invites as t } from "./schema";

export type InviteRow = typeof t.$inferSelect;

/** Stores the invite at the next stream position; undefined when already stored. */
export async function insertInvite(db: Executor, row: Omit<InviteRow, "pos" | "retiredPos" | "retiredByEventId" | "retiredMembership">, pos: number): Promise<boolean> {
  const got = await db.insert(t).values({ ...row, pos }).onConflictDoNothing().returning({ eventId: t.eventId });
  return got.length > 0;
}

/** Marks the invite as no longer pending; false when unknown or already retired. */
export async function retireInvite(db: Executor, eventId: string, pos: number, by?: { eventId: string; membership: string }): Promise<boolean> {
  const got = await db
    .update(t)
    .set({ retiredPos: pos, retiredByEventId: by?.eventId ?? null, retiredMembership: by?.membership ?? null })
    .where(and(eq(t.eventId, eventId), isNull(t.retiredPos)))
    .returning({ eventId: t.eventId });
  return got.length > 0;
}

/**
 * Retires the user's pending invites to the room at `pos`, because a membership other than
 * invite replaced them (the roomserver's retire_invite for the same change then finds nothing).
 * Returns the retired invite event IDs.
 */
export async function retirePendingInvitesOf(db: Executor, roomId: string, userId: string, pos: number, by: { eventId: string; membership: string }): Promise<string[]> {
  const got = await db
    .update(t)
    .set({ retiredPos: pos, retiredByEventId: by.eventId, retiredMembership: by.membership })
    .where(and(eq(t.roomId, roomId), eq(t.userId, userId), isNull(t.retiredPos)))
    .returning({ eventId: t.eventId });
  return got.map((r) => r.eventId);
}

/** Invites of the user that arrived in (after, upTo] and were still pending at upTo, oldest first (a re-invite wins). */
export async function pendingInvites(db: Executor, userId: string, after: number, upTo: number): Promise<InviteRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), gt(t.pos, after), lte(t.pos, upTo), or(isNull(t.retiredPos), gt(t.retiredPos, upTo))))
    .orderBy(asc(t.pos));
}

/** Invites of the user retired in (after, upTo]: the client must drop them. */
export async function retiredInvites(db: Executor, userId: string, after: number, upTo: number): Promise<InviteRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), gt(t.retiredPos, after), lte(t.retiredPos, upTo)));
}

export async function deleteRoomInvites(db: Executor, roomId: string): Promise<void> {
  await db.delete(t).where(eq(t.roomId, roomId));
}
