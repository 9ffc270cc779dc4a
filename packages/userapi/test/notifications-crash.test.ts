// A userapi dies (kill -9, as the database sees it) after committing an event's notifications
// and before publishing the counts: the next userapi on the database publishes them — once —
// and nothing is counted twice.
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createRoomserver, roomserverContract, type Roomserver } from "@dendrite-ts/roomserver";
import { connectPostgres, createEmbeddedStreams, localClient, openTestDatabase, type Database, type Streams, type Subscription } from "@dendrite-ts/runtime";
import { drizzle } from "drizzle-orm/postgres-js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUserapi, OUTPUT_NOTIFICATION_DATA, type OutputNotificationData } from "../src/index";
import { SERVER } from "./harness";

const ALICE = `@alice:${SERVER}`;
const BOB = `@bob:${SERVER}`;

let db: Database;
let streams: Streams;
let rs: Roomserver;
let sub: Subscription;
const received: OutputNotificationData[] = [];

beforeAll(async () => {
  db = await openTestDatabase();
  streams = await createEmbeddedStreams(db, { pollMs: 20 });
  rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:t") });
  await streams.ensureStream({ name: OUTPUT_NOTIFICATION_DATA, subjects: [`${OUTPUT_NOTIFICATION_DATA}.*`] });
  await streams.ensureConsumer(OUTPUT_NOTIFICATION_DATA, "test_crash");
  sub = await streams.consume(OUTPUT_NOTIFICATION_DATA, "test_crash", (m) => void received.push(m.json<OutputNotificationData>()));
});
afterAll(async () => {
  await sub?.stop();
  await rs?.close();
  await streams?.close();
  await db?.close();
});

async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition never held");
}

it("counts committed by a userapi that died before publishing are published by the next one, once", async () => {
  const roomserver = localClient(roomserverContract, rs.api);
  // The doomed userapi: its own connections, and a stream whose publish never returns.
  const sql = connectPostgres(db.url, { max: 3, applicationName: "userapi-doomed" });
  const doomedStreams = {
    ensureStream: (d: Parameters<Streams["ensureStream"]>[0]) => streams.ensureStream(d),
    ensureConsumer: (...a: Parameters<Streams["ensureConsumer"]>) => streams.ensureConsumer(...a),
    // A handler stuck in the dead process is given up soon, as a dead subscriber's would be.
    consume: (...[s, d, h, o]: Parameters<Streams["consume"]>) => streams.consume(s, d, h, { ...o, ackWaitMs: 1000, onError: () => {} }),
    publish: () => new Promise<never>(() => {}),
  };
  const doomed = await createUserapi({
    db: { sql, drizzle: drizzle({ client: sql }) },
    streams: doomedStreams,
    serverName: SERVER,
    registration: { open: true, tokensEnabled: false },
    notifications: { streams: doomedStreams, roomserver },
  });
  void doomed;

  const { roomId } = (await roomserver.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
  await roomserver.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
  const { eventId } = (await roomserver.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { msgtype: "m.text", body: "hi" } } })).body;
  await eventually(async () => (await db.sql`SELECT 1 FROM userapi.notifications WHERE event_id = ${eventId}`).length === 1);
  expect(received).toEqual([]);

  // kill -9, as the database sees it: the producer's sessions vanish mid-transaction.
  await db.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'userapi-doomed'`;
  await sql.end({ timeout: 0 }).catch(() => {});

  // The next userapi publishes what the outbox holds before it serves anything.
  const next = await createUserapi({ db, streams, serverName: SERVER, registration: { open: true, tokensEnabled: false } });
  await eventually(() => received.length > 0);
  await new Promise((r) => setTimeout(r, 300));
  expect(received).toEqual([{ roomId, counts: [{ userId: ALICE, notificationCount: 1, highlightCount: 0, streamPos: expect.any(Number) }] }]);
  expect((await db.sql`SELECT count(*)::int AS n FROM userapi.outbox`)[0]!.n).toBe(0);
  expect((await db.sql`SELECT notification_count::int AS n FROM userapi.unread_counts WHERE localpart = 'alice'`)[0]!.n).toBe(1);
  await next.close();
});
