// PostgreSQL restarting or a connection cut is an outage, answered 503 M_UNKNOWN (a client may
// retry), not a bug answered 500 — in-process (localClient) and over HTTP alike. The errors here
// are real: a backend terminated mid-statement, and a connection to a port nobody listens on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres, openTestDatabase, type Database } from "../../src/index";
import { errorFromThrown } from "../../src/contracts/outcome";
import { isDependencyOutage, mapError } from "../../src/http/errors";
import { createHttpServer } from "../../src/http/server";
import { createLogger } from "../../src/logging";
import { createServer } from "node:net";

/** A port nobody listens on (it was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

/**
 * The error a statement meets when an administrator terminates its backend: PostgreSQL's FATAL
 * 57P01, or postgres.js's CONNECTION_CLOSED when the socket closes first.
 */
async function terminatedMidStatement(): Promise<unknown> {
  const victim = connectPostgres(db.url, { max: 1 });
  try {
    const [row] = await victim`SELECT pg_backend_pid() AS pid`;
    const sleeping = victim`SELECT pg_sleep(30)`.then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await db.sql`SELECT pg_terminate_backend(${(row as { pid: number }).pid})`;
    return await sleeping;
  } finally {
    await victim.end({ timeout: 1 });
  }
}

describe("a dependency outage", () => {
  it("a terminated backend and a refused connection are outages; a bad statement is not", async () => {
    const terminated = await terminatedMidStatement();
    expect(["57P01", "CONNECTION_CLOSED"]).toContain((terminated as { code?: string }).code);
    expect(isDependencyOutage(terminated)).toBe(true);

    const nobody = connectPostgres(`postgres://dendrite:x@127.0.0.1:${await freePort()}/none`, { max: 1 });
    const refused = await nobody`SELECT 1`.then(() => undefined, (e: unknown) => e);
    await nobody.end();
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expect(isDependencyOutage(refused)).toBe(true);

    const mistake = await db.sql`SELEC 1`.then(() => undefined, (e: unknown) => e);
    expect(mistake).toMatchObject({ name: "PostgresError", code: "42601" });
    expect(isDependencyOutage(mistake)).toBe(false);
    expect(mapError(mistake).error.status).toBe(500);
  });

  it("is 503 M_UNKNOWN in-process and over HTTP, logged as the server's problem", async () => {
    const terminated = await terminatedMidStatement();
    const local = errorFromThrown(terminated);
    expect(local.toJSON()).toEqual({ errcode: "M_UNKNOWN", error: "A service this server depends on is unavailable; try again shortly" });
    expect(local.status).toBe(503);
    expect(mapError(terminated)).toMatchObject({ error: { status: 503, errcode: "M_UNKNOWN" }, internal: true });

    const server = createHttpServer({ logger: createLogger({ level: "silent" }) });
    server.get("/down", async () => {
      throw terminated;
    });
    const r = await server.inject({ method: "GET", url: "/down" });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ errcode: "M_UNKNOWN", error: "A service this server depends on is unavailable; try again shortly" });
    await server.close();
  });
});
