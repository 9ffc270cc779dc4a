/**
 * What notifications cost per message: a room with BENCH_MEMBERS local members (default 50)
 * and BENCH_MESSAGES messages (default 300) from one of them, each processed as the consumer
 * does (push rules of every other member evaluated, notifications stored, counts kept, one
 * OutputNotificationData published through the outbox). Prints time and SQL statements per
 * message and the roomserver round trips; asserts nothing.
 */
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createRoomserver, roomserverContract, type NewRoomEventOutput, type OutputRoomEvent } from "@dendrite-ts/roomserver";
import { createEmbeddedStreams, createOutboxPublisher, localClient, openTestDatabase } from "@dendrite-ts/runtime";
import { drizzle } from "drizzle-orm/postgres-js";
import { applyMigrations } from "@dendrite-ts/runtime";
import { outputNotificationDataStream } from "../src/output";
import { createUserapiStore, userapiMigrations, type Db } from "../src/storage";
import { processNewRoomEvent } from "../src/internal/notifications/process";
import { RoomStateCache } from "../src/internal/notifications/room-state";
import { PushRulesCache } from "../src/internal/notifications/rules-cache";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 50);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300);
const SERVER = "bench.local";
const user = (i: number) => `@u${i}:${SERVER}`;

const db = await openTestDatabase({ max: 10 });
const streams = await createEmbeddedStreams(db);
const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:bench") });
let rsCalls = 0;
const local = localClient(roomserverContract, rs.api);
const roomserver = { queryStateAfterEvents: (a: Parameters<typeof local.queryStateAfterEvents>[0]) => (rsCalls++, local.queryStateAfterEvents(a)) };
await applyMigrations(db, "userapi", userapiMigrations);
await streams.ensureStream(outputNotificationDataStream);

const { roomId } = (await local.performCreateRoom({ body: { creator: user(0), preset: "public_chat" } })).body;
for (let i = 1; i < MEMBERS; i++) await local.performJoin({ body: { userId: user(i), roomIdOrAlias: roomId } });
for (let i = 0; i < MESSAGES; i++) {
  const mention = i % 10 === 0 ? { "m.mentions": { user_ids: [user(1)] } } : {};
  await local.performSendEvent({ body: { sender: user(i % 2), roomId, type: "m.room.message", content: { msgtype: "m.text", body: `message ${i}`, ...mention } } });
}
await rs.flushOutputs();

// The room's outputs, read as the consumer reads them.
const outputs: NewRoomEventOutput[] = [];
await streams.ensureConsumer("OutputRoomEvent", "bench");
const total = MEMBERS + MESSAGES + 10;
await new Promise<void>((done) => {
  void streams.consume("OutputRoomEvent", "bench", (m) => {
    const o = m.json<OutputRoomEvent>();
    if (o.kind === "new_room_event") outputs.push(o);
    if (outputs.length >= total - 10 + 5) done();
  }, { concurrency: 1 });
  setTimeout(done, 5000);
});

let statements = 0;
const counted = drizzle(db.sql, { logger: { logQuery: () => void statements++ } }) as unknown as Db;
const store = createUserapiStore(counted);
const outbox = createOutboxPublisher({
  transaction: (fn) => store.transaction((tx) => fn(tx.outbox)),
  publish: async (subject, msgId, payload) => void (await streams.publish(subject, payload, { msgId, fromOutbox: true })),
  log: console,
  name: "userapi",
});
const deps = { store, serverName: SERVER, outbox, roomState: new RoomStateCache(roomserver), rules: new PushRulesCache() };

const messages = outputs.filter((o) => o.event.type === "m.room.message");
const setup = outputs.filter((o) => o.event.type !== "m.room.message");
for (const o of setup) await processNewRoomEvent(deps, o);
statements = 0;
rsCalls = 0;
const t = performance.now();
for (const o of messages) await processNewRoomEvent(deps, o);
const ms = (performance.now() - t) / messages.length;
const notified = await db.sql`SELECT count(*)::int AS n FROM userapi.notifications WHERE event_id IN (SELECT event_id FROM userapi.push_events)`;

console.table([
  ["local members", String(MEMBERS)],
  ["messages", String(messages.length)],
  ["time per message", `${ms.toFixed(2)} ms`],
  ["userapi SQL statements per message (outbox drain included; BEGIN/COMMIT not)", (statements / messages.length).toFixed(1)],
  ["roomserver round trips (all messages)", String(rsCalls)],
  ["notifications stored", String(notified[0]!.n)],
]);
await outbox.close();
await rs.close();
await streams.close();
await db.close();
