// Queries on userapi.accounts: one function per statement.
import { eq } from "drizzle-orm";
import type { Db } from "./db";
import { accounts } from "./schema";

export type AccountType = "user" | "guest" | "appservice";

export interface AccountRow {
  localpart: string;
  passwordHash: string | null;
  createdTs: number;
  isAdmin: boolean;
  deactivated: boolean;
  locked: boolean;
  suspended: boolean;
  accountType: AccountType;
  userType: string | null;
}

export function accountQueries(db: Db) {
  return {
    /** Inserts an account; false when the localpart is taken (no exception to catch). */
    async insert(row: Omit<AccountRow, "deactivated" | "locked" | "suspended">): Promise<boolean> {
      const r = await db.insert(accounts).values(row).onConflictDoNothing().returning({ l: accounts.localpart });
      return r.length === 1;
    },

    /** `forUpdate` locks the row: per-user read-modify-writes (tags) take turns. */
    async select(localpart: string, forUpdate = false): Promise<AccountRow | undefined> {
      const q = db.select().from(accounts).where(eq(accounts.localpart, localpart));
      const [r] = forUpdate ? await q.for("update") : await q;
      return r ? { ...r, accountType: r.accountType as AccountType } : undefined;
    },

    async exists(localpart: string): Promise<boolean> {
      const r = await db.select({ l: accounts.localpart }).from(accounts).where(eq(accounts.localpart, localpart));
      return r.length > 0;
    },

    async updatePasswordHash(localpart: string, passwordHash: string): Promise<void> {
      await db.update(accounts).set({ passwordHash }).where(eq(accounts.localpart, localpart));
    },

    /**
     * Marks deactivated. The password hash stays: checkCredentials refuses every login to a
     * deactivated account, and tells M_USER_DEACTIVATED only to whoever gives its password.
     */
    async deactivate(localpart: string): Promise<void> {
      await db.update(accounts).set({ deactivated: true }).where(eq(accounts.localpart, localpart));
    },

    /** Sets whichever moderation flags are given (admin lock / suspension). */
    async setModeration(localpart: string, flags: { locked?: boolean; suspended?: boolean }): Promise<void> {
      if (flags.locked === undefined && flags.suspended === undefined) return;
      await db.update(accounts).set(flags).where(eq(accounts.localpart, localpart));
    },

    async setAdmin(localpart: string, isAdmin: boolean): Promise<void> {
      await db.update(accounts).set({ isAdmin }).where(eq(accounts.localpart, localpart));
    },
  };
}
