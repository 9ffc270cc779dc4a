// The producer dies between committing a change and publishing it: its connections drop (as
// they do when a process is killed), and the next userapi on the database publishes the
// message — once.
import { afterEach, beforeEach, expect, it } from "vitest";
import { drizzle } from "drizzle-orm/postgres-js";
import { connectPostgres, localClient, type StreamMessage, type Subscription } from "@dendrite-ts/runtime";
import { createUserapi, OUTPUT_CLIENT_DATA, userapiContract, type OutputClientData } from "../src/index";
import { ok, registerAlice, SERVER, startUserapi, type Harness } from "./harness";

let h: Harness;
let received: StreamMessage[];
let sub: Subscription;

beforeEach(async () => {
  h = await startUserapi("local");
  received = [];
  sub = await h.streams.consume(OUTPUT_CLIENT_DATA, "test_crash", (msg) => {
    received.push(msg);
  });
});
afterEach(async () => {
  await sub.stop();
  await h.close();
});

async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition never held");
}

it("a change committed by a producer that died before publishing is published by the next one, once", async () => {
  const { userId } = await registerAlice(h.client);

  // The doomed producer: its own connections, and a stream whose publish never returns.
  const sql = connectPostgres(h.db.url, { max: 3, applicationName: "userapi-doomed" });
  const doomed = await createUserapi({
    db: { sql, drizzle: drizzle({ client: sql }) },
    streams: { ensureStream: (d) => h.streams.ensureStream(d), publish: () => new Promise(() => {}) },
    serverName: SERVER,
    registration: { open: true, tokensEnabled: false },
  });
  void localClient(userapiContract, doomed.api)
    .setAccountData({ body: { userId, type: "from.doomed", content: { n: 1 } } })
    .catch(() => {});
  await eventually(async () => (await h.db.sql`SELECT 1 FROM userapi.account_data WHERE type = 'from.doomed'`).length === 1);

  // kill -9, as the database sees it: the producer's sessions vanish mid-transaction.
  await h.db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'userapi-doomed'`;
  await sql.end({ timeout: 0 }).catch(() => {});

  await ok(h.client.setAccountData({ body: { userId, type: "sentinel", content: {} } }));
  await eventually(() => received.some((m) => m.json<OutputClientData>().type === "sentinel"));
  expect(received.map((m) => m.json<OutputClientData>().type)).toEqual(["from.doomed", "sentinel"]);
  expect(received[0]!.json<OutputClientData>().content).toEqual({ n: 1 });
  expect((await h.db.sql`SELECT count(*)::int AS n FROM userapi.outbox`)[0]!.n).toBe(0);
});
