/**
 * The handle storage code runs against: a drizzle database or a transaction opened on it, so
 * every query works inside or outside a transaction.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Executor = PgDatabase<PgQueryResultHKT, any, any>;

/** Next position of a sequence, as an SQL expression for inserts. */
export const NEXT_STREAM_POS = "nextval('syncapi.stream_pos')";
