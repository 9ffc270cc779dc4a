// A LISTEN that outlives PostgreSQL going away. The outage is real: the listener reaches the
// server through a TCP relay this test cuts (every connection dropped, new ones refused) and
// restores, as a restart or a network cut would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenReliably, openTestDatabase, type Database } from "../../src/index";
import { relay } from "../helpers/tcp-relay";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const until = async (what: string, ok: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("listenReliably", () => {
  it("hears notifications again after the server was unreachable for a while, and says it relistened", async () => {
    const r = await relay(db.url);
    const channel = `listener_test_${Math.random().toString(36).slice(2)}`;
    const heard: string[] = [];
    let relistens = 0;
    let failures = 0;
    const listener = await listenReliably(r.url, channel, (p) => heard.push(p), {
      onRelisten: () => relistens++,
      onError: () => failures++,
    });
    try {
      await db.sql`SELECT pg_notify(${channel}, 'before')`;
      await until("the first notification", () => heard.includes("before"));

      await r.down();
      await until("a failed re-listen while the server is unreachable", () => failures >= 2);
      await db.sql`SELECT pg_notify(${channel}, 'while deaf')`;
      await r.up();
      await until("the re-listen", () => relistens === 1);

      await db.sql`SELECT pg_notify(${channel}, 'after')`;
      await until("a notification after the outage", () => heard.includes("after"));
      // Missed while deaf: the reason onRelisten exists.
      expect(heard).toEqual(["before", "after"]);
    } finally {
      await listener.close();
      await r.down();
    }
  });

  it("after close, no more attempts are made", async () => {
    const r = await relay(db.url);
    let failures = 0;
    const listener = await listenReliably(r.url, "listener_test_closed", () => {}, { onError: () => failures++ });
    await r.down();
    await listener.close();
    const seen = failures;
    await new Promise((res) => setTimeout(res, 700));
    expect(failures).toBe(seen);
  });

  it("fails at once when the server cannot be reached at start", async () => {
    const r = await relay(db.url);
    await r.down();
    await expect(listenReliably(r.url, "listener_test_down", () => {})).rejects.toThrow();
  });
});
