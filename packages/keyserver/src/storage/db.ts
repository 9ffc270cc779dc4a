// The drizzle handle every query file takes: the pool's database or a transaction on it.
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";

export type Db = PgDatabase<PostgresJsQueryResultHKT, Record<string, never>>;
