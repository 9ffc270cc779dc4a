import { describe, expect, it } from "vitest";
import { createEmbeddedStreams, type Database } from "../../src/index.js";
import { openTestDatabase } from "../../src/testing.js";
import { relay } from "../helpers/tcp-relay.js";
import { defineStreamsSuite, freshStream, waitFor } from "./suite.js";

describe("embedded log (PostgreSQL)", () => {
  let db: Database | undefined;
  defineStreamsSuite({
    open: async () => createEmbeddedStreams((db ??= await openTestDatabase()), { pollMs: 200 }),
    cleanup: async () => db?.close(),
  });
});

describe("embedded log retention", () => {
  it("prunes old messages every consumer has acked, keeps the rest", async () => {
    const db = await openTestDatabase();
    const streams = await createEmbeddedStreams(db, { retainMs: 1 });
    try {
      const { stream, subject } = freshStream("Prune");
      await streams.ensureStream({ name: stream, subjects: [`${stream}.>`] });
      await streams.ensureConsumer(stream, "fast");
      await streams.ensureConsumer(stream, "slow");
      for (let n = 0; n < 3; n++) await streams.publish(subject("r"), { n }, { msgId: `m${n}` });
      const got: number[] = [];
      const sub = await streams.consume(stream, "fast", (m) => void got.push(m.json<{ n: number }>().n));
      await waitFor(() => got.length === 3, "3 messages");
      await sub.stop();
      const prune = () => (streams as unknown as { prune(): Promise<number> }).prune();
      expect(await prune()).toBe(0); // "slow" has not read them yet
      const slow: number[] = [];
      const sub2 = await streams.consume(stream, "slow", (m) => {
        slow.push(m.json<{ n: number }>().n);
        if (m.json<{ n: number }>().n === 2) throw new Error("keep the last one pending");
      });
      await waitFor(() => slow.length >= 3, "slow consumer");
      await sub2.stop();
      expect(await prune()).toBe(2); // the pending third message stays
      const left = await db.sql`SELECT count(*)::int AS n FROM streams.messages WHERE stream = ${stream}`;
      expect(left[0]?.n).toBe(1);
    } finally {
      await streams.close();
      await db.close();
    }
  });
});

describe("embedded log wake-ups", () => {
  it("a message published while its listener could not reach the server arrives once it can, not at the next poll", async () => {
    const db = await openTestDatabase();
    const r = await relay(db.url);
    // Statements go straight to the server; only the LISTEN goes through the relay. The poll
    // is a minute away, so only a wake-up can deliver within the test's time.
    const streams = await createEmbeddedStreams({ sql: db.sql, url: r.url }, { pollMs: 60_000 });
    try {
      const { stream, subject } = freshStream("Relisten");
      await streams.ensureStream({ name: stream, subjects: [`${stream}.>`] });
      await streams.ensureConsumer(stream, "c");
      const got: number[] = [];
      const sub = await streams.consume(stream, "c", (m) => void got.push(m.json<{ n: number }>().n));
      await streams.publish(subject("r"), { n: 1 });
      await waitFor(() => got.length === 1, "the first message");
      await r.down();
      await streams.publish(subject("r"), { n: 2 });
      await new Promise((res) => setTimeout(res, 300));
      await r.up();
      await waitFor(() => got.length === 2, "the message published while the listener was cut off");
      expect(got).toEqual([1, 2]);
      await sub.stop();
    } finally {
      await streams.close();
      await r.down();
      await db.close();
    }
  });
});
