// One way to reach PostgreSQL for every component: postgres.js (pooled, prepared statements)
// with a drizzle instance over the same pool, to an external server or an embedded one.
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres.js";

export type Sql = postgres.Sql;

export interface Database {
  /** postgres.js client: pooled, prepared statements on. */
  readonly sql: Sql;
  /** drizzle-orm over the same pool. */
  readonly drizzle: PostgresJsDatabase;
  /** Connection URL (of the embedded server when embedded). */
  readonly url: string;
  /** Close the pool, then stop the embedded server if this Database started one. */
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { connectionString: string }
  | { embedded: { dataDir: string; port?: number; database?: string } };

export interface DatabaseOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Seconds before an idle connection is closed (default 30): keeps an idle monolith small. */
  idleTimeout?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

export async function openDatabase(target: DatabaseTarget, opts: DatabaseOptions = {}): Promise<Database> {
  let server: EmbeddedPostgresHandle | undefined;
  let url: string;
  if ("connectionString" in target) {
    url = target.connectionString;
  } else {
    server = await startEmbeddedPostgres({ ...target.embedded, appOwnsSignals: true });
    url = server.url;
    const name = target.embedded.database ?? "dendrite";
    await ensureDatabaseExists(url, name);
    url = withDatabase(url, name);
  }
  const sql = connect(url, opts);
  let closed: Promise<void> | undefined;
  return {
    sql,
    drizzle: drizzle({ client: sql }),
    url,
    close: () =>
      (closed ??= (async () => {
        await sql.end({ timeout: 5 });
        await server?.stop();
      })()),
  };
}

type QueryObserver = (query: string, connectionId: number) => void;
let queryObserver: QueryObserver | undefined;
const report = (connectionId: number, query: string) => queryObserver?.(query, connectionId);
/** Every pool this process opened, to switch their debug hook on and off. */
const pools = new Set<WeakRef<Sql>>();

/**
 * Calls `observer` as each statement is sent, on every pool of this process (undefined stops it).
 * For profiling tools and tests (bench/send-path.bench.ts counts the statements behind one
 * message). The hook is installed only while someone observes: postgres.js captures a stack
 * trace for every query while a pool has one (≈ 6 % of a monolith's CPU).
 */
export function observeQueries(observer: QueryObserver | undefined): void {
  queryObserver = observer;
  for (const ref of pools) {
    const pool = ref.deref();
    if (pool) pool.options.debug = observer ? report : false;
    else pools.delete(ref);
  }
}

/**
 * A postgres.js pool with our defaults; also used for short-lived admin connections. A
 * `?host=/directory` in the URL (libpq's way, as Synapse and Dendrite configs write it) connects
 * over the Unix socket in that directory: on one machine it costs less per statement than TCP.
 */
export function connect(url: string, opts: DatabaseOptions = {}): Sql {
  const { url: target, socketPath } = unixSocketOf(url);
  const sql = postgres(target, {
    ...(socketPath ? { path: socketPath } : {}),
    max: opts.max ?? 10,
    idle_timeout: opts.idleTimeout ?? 30,
    prepare: true,
    onnotice: () => {}, // "schema already exists, skipping" and friends are not news
    connection: { application_name: opts.applicationName ?? "dendrite-ts" },
    debug: queryObserver ? report : false,
  });
  pools.add(new WeakRef(sql));
  return sql;
}

/** Splits libpq's `?host=/directory` off a URL into postgres.js's socket path. */
export function unixSocketOf(url: string): { url: string; socketPath?: string } {
  const u = new URL(url);
  const dir = u.searchParams.get("host");
  if (!dir?.startsWith("/")) return { url };
  u.searchParams.delete("host");
  return { url: u.toString(), socketPath: `${dir.replace(/\/$/, "")}/.s.PGSQL.${u.port || "5432"}` };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  const admin = connect(serverUrl, { max: 1 });
  try {
    const rows = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (rows.length === 0) {
      await admin.unsafe(`CREATE DATABASE ${quoteIdent(name)}`).catch((e: unknown) => {
        // Two processes creating it at once: the loser sees duplicate_database (42P04).
        if ((e as { code?: string }).code !== "42P04") throw e;
      });
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
