/** Queries on `roomserver.invites`: pending invites, so a user can see and answer them. */
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { invites } from "./schema";

export type InviteRow = typeof invites.$inferSelect;

export interface InviteQueries {
  /** Records an invite; true if it is new. */
  insertInvite(row: Omit<InviteRow, "retired">): Promise<boolean>;
  /** Retires every pending invite of the user in the room; returns the retired invite event IDs. */
  retireInvites(roomNid: number, targetNid: number): Promise<string[]>;
  pendingInvites(roomNid: number, targetNid: number): Promise<InviteRow[]>;
}

export function inviteQueries(db: Executor): InviteQueries {
  return {
    async insertInvite(row) {
      const r = await db.insert(invites).values(row).onConflictDoNothing().returning({ id: invites.inviteEventId });
      return r.length > 0;
    },
    async retireInvites(roomNid, targetNid) {
      const rows = await db
        .update(invites)
        .set({ retired: true })
        .where(and(eq(invites.roomNid, roomNid), eq(invites.targetNid, targetNid), eq(invites.retired, false)))
        .returning({ id: invites.inviteEventId });
      return rows.map((r) => r.id);
    },
    async pendingInvites(roomNid, targetNid) {
      return db
        .select()
        .from(invites)
        .where(and(eq(invites.roomNid, roomNid), eq(invites.targetNid, targetNid), sql`NOT ${invites.retired}`));
    },
  };
}
