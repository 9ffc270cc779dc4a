/** Queries on `roomserver.memberships`: each user's membership per room, from current state. */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { memberships } from "./schema";

export type MembershipRow = typeof memberships.$inferSelect;
/** A row as current state sets it: the profile columns only for a joined member. */
export type NewMembershipRow = Omit<MembershipRow, "forgotten" | "displayName" | "avatarUrl" | "searchKey"> &
  Partial<Pick<MembershipRow, "displayName" | "avatarUrl" | "searchKey">>;

export interface MembershipQueries {
  /** Sets memberships from current-state changes (one statement for the batch). */
  upsertMemberships(rows: readonly NewMembershipRow[]): Promise<void>;
  /** The member event was redacted: if it is still the row's, the row keeps no profile (`searchKey`: the user ID's words alone). */
  clearMemberProfile(roomNid: number, targetNid: number, eventNid: number, searchKey: string): Promise<void>;
  membership(roomNid: number, targetNid: number): Promise<MembershipRow | undefined>;
  /** Members of a room, optionally only those with `membership`, optionally only local ones. */
  roomMembers(roomNid: number, opts?: { membership?: string; localOnly?: boolean }): Promise<MembershipRow[]>;
  /** Rooms in which the user has `membership` (not forgotten ones, unless asked). */
  roomsForUser(targetNid: number, membership: string, includeForgotten?: boolean): Promise<number[]>;
  setForgotten(roomNid: number, targetNid: number, forgotten: boolean): Promise<void>;
  /** NIDs of the users joined to a room (the servers in it follow from their IDs). */
  joinedTargetNids(roomNid: number): Promise<number[]>;
  /** Joined members per room (rooms with none are left out): one statement for all the rooms. */
  joinedCounts(roomNids: readonly number[]): Promise<Map<number, number>>;
}

export function membershipQueries(db: Executor): MembershipQueries {
  return {
    async upsertMemberships(rows) {
      if (rows.length === 0) return;
      await db
        .insert(memberships)
        .values(rows.map((r) => ({ displayName: null, avatarUrl: null, searchKey: null, ...r })))
        .onConflictDoUpdate({
          target: [memberships.roomNid, memberships.targetNid],
          set: {
            membership: sql`excluded.membership`,
            eventNid: sql`excluded.event_nid`,
            sender: sql`excluded.sender`,
            targetLocal: sql`excluded.target_local`,
            displayName: sql`excluded.display_name`,
            avatarUrl: sql`excluded.avatar_url`,
            searchKey: sql`excluded.search_key`,
            // Joining again un-forgets the room; any other change keeps the flag.
            forgotten: sql`CASE WHEN excluded.membership = 'join' THEN FALSE ELSE ${memberships.forgotten} END`,
          },
        });
    },
    async clearMemberProfile(roomNid, targetNid, eventNid, searchKey) {
      await db
        .update(memberships)
        .set({ displayName: null, avatarUrl: null, searchKey })
        .where(and(eq(memberships.roomNid, roomNid), eq(memberships.targetNid, targetNid), eq(memberships.eventNid, eventNid)));
    },
    async membership(roomNid, targetNid) {
      const [row] = await db
        .select()
        .from(memberships)
        .where(and(eq(memberships.roomNid, roomNid), eq(memberships.targetNid, targetNid)));
      return row;
    },
    async roomMembers(roomNid, opts = {}) {
      const conds = [eq(memberships.roomNid, roomNid)];
      if (opts.membership) conds.push(eq(memberships.membership, opts.membership));
      if (opts.localOnly) conds.push(eq(memberships.targetLocal, true));
      return db.select().from(memberships).where(and(...conds));
    },
    async roomsForUser(targetNid, membership, includeForgotten = false) {
      const conds = [eq(memberships.targetNid, targetNid), eq(memberships.membership, membership)];
      if (!includeForgotten) conds.push(eq(memberships.forgotten, false));
      const rows = await db.select({ roomNid: memberships.roomNid }).from(memberships).where(and(...conds));
      return rows.map((r) => r.roomNid);
    },
    async joinedTargetNids(roomNid) {
      const rows = await db
        .select({ t: memberships.targetNid })
        .from(memberships)
        .where(and(eq(memberships.roomNid, roomNid), eq(memberships.membership, "join")));
      return rows.map((r) => r.t);
    },
    async joinedCounts(roomNids) {
      if (roomNids.length === 0) return new Map();
      const rows = await db
        .select({ roomNid: memberships.roomNid, n: sql<number>`count(*)::int` })
        .from(memberships)
        .where(and(inArray(memberships.roomNid, [...roomNids]), eq(memberships.membership, "join")))
        .groupBy(memberships.roomNid);
      return new Map(rows.map((r) => [r.roomNid, r.n]));
    },
    async setForgotten(roomNid, targetNid, forgotten) {
      await db
        .update(memberships)
        .set({ forgotten })
        .where(and(eq(memberships.roomNid, roomNid), eq(memberships.targetNid, targetNid), inArray(memberships.membership, ["leave", "ban"])));
    },
  };
}
