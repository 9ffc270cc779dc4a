/** Queries on `filters`: uploaded sync filters, readable by their owner only. */
import { and, eq } from "drizzle-orm";
import type { Executor } from "./db";
import { filters as t } from "./schema";

export async function insertFilter(db: Executor, userId: string, filter: Record<string, unknown>): Promise<number> {
  const got = await db.insert(t).values({ userId, filter }).returning({ id: t.filterId });
  return got[0]!.id;
}

export async function getFilter(db: Executor, userId: string, filterId: number): Promise<Record<string, unknown> | undefined> {
  const rows = await db
    .select({ filter: t.filter })
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.filterId, filterId)));
  return rows[0]?.filter;
}
