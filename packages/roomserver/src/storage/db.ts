/**
 * The database handle storage code runs against. Both a drizzle database and a transaction
 * opened on it satisfy `Executor`, so every query function works inside or outside a transaction.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Executor = PgDatabase<PgQueryResultHKT, any, any>;
