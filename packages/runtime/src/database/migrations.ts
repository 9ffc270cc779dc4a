// Per-component migrations: each component owns a Postgres schema and an ordered list of
// hand-written SQL steps, applied on start. No drizzle-kit at runtime.
import type postgres from "postgres";
import type { Database } from "./database.js";
import { quoteIdent } from "./database.js";

export interface Migration {
  /** Stable, unique id, e.g. "0001_keys". Never rename or reorder an applied one. */
  id: string;
  /** SQL run with search_path set to the component's schema; may hold several statements. */
  sql: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Create `schemaName`, then apply the pending migrations in order, each in its own transaction,
 * recording ids in `<schema>.schema_migrations`. Idempotent; a transaction-scoped advisory lock
 * keyed on the schema makes two processes starting at once take turns.
 */
export async function applyMigrations(
  db: Pick<Database, "sql">,
  schemaName: string,
  migrations: readonly Migration[],
): Promise<MigrationResult> {
  assertUniqueIds(schemaName, migrations);
  const schema = quoteIdent(schemaName);
  const applied = await db.sql.begin(async (tx) => {
    await lock(tx, schemaName);
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.unsafe(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    return new Set(await appliedIds(tx, schema));
  });

  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    if (applied.has(m.id)) {
      result.alreadyApplied.push(m.id);
      continue;
    }
    const ran = await db.sql.begin(async (tx) => {
      await lock(tx, schemaName);
      // Re-check under the lock: another process may have applied it meanwhile.
      if ((await appliedIds(tx, schema)).includes(m.id)) return false;
      await tx.unsafe(`SET LOCAL search_path TO ${schema}, public`);
      try {
        await tx.unsafe(m.sql);
      } catch (e) {
        throw new Error(`migration ${schemaName}/${m.id} failed: ${(e as Error).message}`, { cause: e });
      }
      await tx.unsafe(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [m.id]);
      return true;
    });
    (ran ? result.applied : result.alreadyApplied).push(m.id);
  }
  return result;
}

async function lock(tx: postgres.TransactionSql, schemaName: string): Promise<void> {
  // hashtextextended gives a bigint key; the prefix keeps clear of other advisory-lock users.
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`dendrite-ts:migrations:${schemaName}`}, 0))`;
}

async function appliedIds(tx: postgres.TransactionSql, schema: string): Promise<string[]> {
  const rows = await tx.unsafe<{ id: string }[]>(`SELECT id FROM ${schema}.schema_migrations`);
  return rows.map((r) => r.id);
}

function assertUniqueIds(schemaName: string, migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id ${schemaName}/${m.id}`);
    seen.add(m.id);
  }
}
