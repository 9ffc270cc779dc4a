import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, connectPostgres, type Database, type Migration } from "../../src/index.js";
import { openTestDatabase } from "../../src/testing.js";

const migrations: Migration[] = [
  { id: "0001_keys", sql: "CREATE TABLE keys (id text PRIMARY KEY, body text NOT NULL);" },
  {
    id: "0002_valid_until",
    sql: "ALTER TABLE keys ADD COLUMN valid_until bigint; CREATE INDEX keys_valid_until ON keys (valid_until);",
  },
];

describe("applyMigrations", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it("creates the schema, applies each migration once and records its id", async () => {
    const first = await applyMigrations(db, "keys_a", migrations);
    expect(first).toEqual({ applied: ["0001_keys", "0002_valid_until"], alreadyApplied: [] });
    const again = await applyMigrations(db, "keys_a", migrations);
    expect(again).toEqual({ applied: [], alreadyApplied: ["0001_keys", "0002_valid_until"] });
    await db.sql`INSERT INTO keys_a.keys (id, body, valid_until) VALUES ('k', 'b', 1)`;
    const ids = await db.sql`SELECT id FROM keys_a.schema_migrations ORDER BY id`;
    expect(ids.map((r) => r.id)).toEqual(["0001_keys", "0002_valid_until"]);
  });

  it("applies only the new ones when the list grows", async () => {
    await applyMigrations(db, "keys_b", migrations.slice(0, 1));
    const r = await applyMigrations(db, "keys_b", migrations);
    expect(r.applied).toEqual(["0002_valid_until"]);
  });

  it("is safe when several processes start at once", async () => {
    // Separate pools = separate sessions, as separate processes would have.
    const others = [1, 2, 3].map(() => connectPostgres(db.url, { max: 1 }));
    try {
      const results = await Promise.all(others.map((sql) => applyMigrations({ sql }, "keys_c", migrations)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(["0001_keys", "0002_valid_until"]);
    } finally {
      await Promise.all(others.map((sql) => sql.end()));
    }
  });

  it("rolls back a failing migration and names it", async () => {
    const bad: Migration[] = [...migrations, { id: "0003_bad", sql: "CREATE TABLE t (x int); SELECT no_such_fn();" }];
    await expect(applyMigrations(db, "keys_d", bad)).rejects.toThrow(/keys_d\/0003_bad/);
    const ids = await db.sql`SELECT id FROM keys_d.schema_migrations ORDER BY id`;
    expect(ids.map((r) => r.id)).toEqual(["0001_keys", "0002_valid_until"]);
    const t = await db.sql`SELECT to_regclass('keys_d.t') AS t`;
    expect(t[0]?.t).toBeNull();
  });

  it("rejects duplicate ids", async () => {
    await expect(applyMigrations(db, "keys_e", [migrations[0]!, migrations[0]!])).rejects.toThrow(/duplicate/);
  });
});

describe("openTestDatabase", () => {
  it("gives isolated databases and drops them on close", async () => {
    const [a, b] = await Promise.all([openTestDatabase(), openTestDatabase()]);
    try {
      expect(a.url).not.toEqual(b.url);
      await a.sql`CREATE TABLE only_in_a (x int)`;
      const seen = await b.sql`SELECT to_regclass('only_in_a') AS t`;
      expect(seen[0]?.t).toBeNull();
      const d = await a.drizzle.execute("SELECT 1 AS one");
      expect([...d][0]).toEqual({ one: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const name = new URL(a.url).pathname.slice(1);
    const probe = await openTestDatabase();
    try {
      const rows = await probe.sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      expect(rows).toHaveLength(0);
    } finally {
      await probe.close();
    }
  });
});
