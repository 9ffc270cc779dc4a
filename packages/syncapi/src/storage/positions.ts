/**
 * `stream_positions`: the highest committed position of each stream, bumped in the same
 * transaction as the rows it covers, so a token never points past data a reader cannot see.
 */
import { eq, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { streamPositions as t } from "./schema";

export interface Positions {
  room: number;
  accountData: number;
}

export async function currentPositions(db: Executor): Promise<Positions> {
  const rows = await db.select().from(t);
  const get = (name: string) => rows.find((r) => r.name === name)?.pos ?? 0;
  return { room: get("room"), accountData: get("account_data") };
}

export async function bumpPosition(db: Executor, name: "room" | "account_data", pos: number): Promise<void> {
  await db
    .update(t)
    .set({ pos: sql`GREATEST(${t.pos}, ${pos})` })
    .where(eq(t.name, name));
}

export async function nextStreamPos(db: Executor): Promise<number> {
  const rows = await db.execute<{ pos: string }>(sql`SELECT nextval('syncapi.stream_pos') AS pos`);
  return Number((rows as unknown as { pos: string }[])[0]!.pos);
}

/**
 * Serialises writers that take positions, across processes too: held to commit, so rows
 * commit in position order and a reader's token never skips a row committed later.
 */
export async function lockWriters(db: Executor): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext('syncapi.stream_writers'))`);
}
