/** Queries on `account_data`: the latest content per (user, room, type), by our position. */
import { and, eq, gt, lt, lte, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { accountData as t } from "./schema";

export type AccountDataRow = typeof t.$inferSelect;

/**
 * Stores a change at the next account-data position unless we already hold this or a newer
 * change of userapi's (sourcePos): a redelivery moves nothing. Returns the position, or undefined.
 */
export async function upsertAccountData(
  db: Executor,
  row: { userId: string; roomId: string; type: string; content: Record<string, unknown>; sourcePos: number },
): Promise<number | undefined> {
  const next = sql`nextval('syncapi.account_data_pos')`;
  const got = await db
    .insert(t)
    .values({ ...row, pos: next })
    .onConflictDoUpdate({
      target: [t.userId, t.roomId, t.type],
      set: { content: row.content, sourcePos: row.sourcePos, pos: next },
      setWhere: lt(t.sourcePos, row.sourcePos),
    })
    .returning({ pos: t.pos });
  return got[0]?.pos;
}

/** The user's entries changed in (after, upTo]. */
export async function accountDataChanges(db: Executor, userId: string, after: number, upTo: number): Promise<AccountDataRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), gt(t.pos, after), lte(t.pos, upTo)));
}

/** The content of one of the user's global (not per-room) account data types, if set. */
export async function globalAccountData(db: Executor, userId: string, type: string): Promise<Record<string, unknown> | undefined> {
  const rows = await db
    .select({ content: t.content })
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.roomId, ""), eq(t.type, type)));
  return rows[0]?.content as Record<string, unknown> | undefined;
}
