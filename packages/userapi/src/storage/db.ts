// The drizzle handle every query file takes: the pool's database or a transaction on it.
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";

export type Db = PgDatabase<PostgresJsQueryResultHKT, Record<string, never>>;

/** Postgres unique_violation: the caller maps it to its Matrix error. */
export function isUniqueViolation(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if ((c as { code?: string }).code === "23505") return true;
  }
  return false;
}
