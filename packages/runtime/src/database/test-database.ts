// Databases for tests: a fresh, isolated database per call, on the PostgreSQL CI provides or,
// without one, on an embedded PostgreSQL started once per test process.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, quoteIdent, withDatabase, type Database, type DatabaseOptions, type Sql } from "./database.js";
import { drizzle } from "drizzle-orm/postgres-js";
import { clearStalePostmaster, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres.js";

export interface TestServices {
  /** DENDRITE_TEST_POSTGRES_URL: an external PostgreSQL (superuser, may create databases). */
  postgresUrl?: string;
  /** DENDRITE_TEST_NATS_URL: a NATS server with JetStream. */
  natsUrl?: string;
  /** DENDRITE_TEST_REQUIRE_SERVICES=1: a missing service fails the tests instead of skipping them. */
  require: boolean;
}

export function testServices(env: NodeJS.ProcessEnv = process.env): TestServices {
  const pick = (v: string | undefined) => (v && v.trim() !== "" ? v.trim() : undefined);
  const services: TestServices = { require: env.DENDRITE_TEST_REQUIRE_SERVICES === "1" };
  const postgresUrl = pick(env.DENDRITE_TEST_POSTGRES_URL);
  const natsUrl = pick(env.DENDRITE_TEST_NATS_URL);
  if (postgresUrl) services.postgresUrl = postgresUrl;
  if (natsUrl) services.natsUrl = natsUrl;
  return services;
}

export const HOW_TO_RUN_SERVICE_TESTS =
  "start PostgreSQL and nats-server -js, then set DENDRITE_TEST_POSTGRES_URL=postgres://user:pass@127.0.0.1:5432/db " +
  "and DENDRITE_TEST_NATS_URL=nats://127.0.0.1:4222 (see README, \"Tests against services\")";

let counter = 0;
let embedded: Promise<EmbeddedPostgresHandle> | undefined;
const admins = new Map<string, Sql>();

/**
 * A fresh database: uniquely named on DENDRITE_TEST_POSTGRES_URL, or on this process's embedded
 * PostgreSQL. close() drops it.
 */
export async function openTestDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  const services = testServices();
  if (!services.postgresUrl && services.require) {
    throw new Error("DENDRITE_TEST_REQUIRE_SERVICES=1 but DENDRITE_TEST_POSTGRES_URL is not set");
  }
  const serverUrl = services.postgresUrl ?? (await (embedded ??= startTestPostgres())).url;
  const name = `dendrite_test_${process.pid}_${++counter}_${randomBytes(3).toString("hex")}`;
  const admin = adminFor(serverUrl);
  await admin.unsafe(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = withDatabase(serverUrl, name);
  const sql = connect(url, { max: 5, idleTimeout: 5, ...opts });
  let closed: Promise<void> | undefined;
  return {
    sql,
    drizzle: drizzle({ client: sql }),
    url,
    close: () =>
      (closed ??= (async () => {
        await sql.end({ timeout: 5 });
        await admin.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      })()),
  };
}

function adminFor(serverUrl: string): Sql {
  let admin = admins.get(serverUrl);
  if (!admin) {
    admin = connect(serverUrl, { max: 2, idleTimeout: 2, applicationName: "dendrite-ts-test-admin" });
    admins.set(serverUrl, admin);
  }
  return admin;
}

const TEMP_PREFIX = "dendrite-test-pg-";

/** One embedded PostgreSQL per test process, in a temp dir removed when the process exits. */
async function startTestPostgres(): Promise<EmbeddedPostgresHandle> {
  sweepStaleTempDirs();
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  chmodSync(dir, 0o755); // as root the server runs as `postgres` and must reach dir/pg
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  const server = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), unsafeFast: true, unref: true });
  process.once("exit", () => removeWhenStopped(dir));
  return server;
}

/**
 * embedded-postgres sends the server SIGINT on exit, but it is still writing while we leave:
 * a detached shell waits for it (30 s at most) and then removes the directory.
 */
function removeWhenStopped(dir: string): void {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    // not running
  }
  if (!(pid > 0)) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const script = `i=0; while kill -0 ${pid} 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; kill -9 ${pid} 2>/dev/null; rm -rf "$0"`;
  spawn("sh", ["-c", script, dir], { detached: true, stdio: "ignore" }).unref();
}

/** Temp dirs left by test processes that were killed (kill -9 skips exit handlers). */
function sweepStaleTempDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    try {
      if (!existsSync(join(dir, "owner.pid"))) {
        // Being created right now, or a removal that lost a race: judge by age.
        if (Date.now() - statSync(dir).mtimeMs > 10 * 60_000) rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
      if (isAlive(owner)) continue;
      clearStalePostmaster(join(dir, "pg"));
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another process is sweeping it, or it is not ours to judge: leave it.
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
