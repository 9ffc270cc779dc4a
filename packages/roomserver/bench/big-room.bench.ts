/**
 * A growing room through the whole input pipeline: time per join as the member list grows,
 * then time per message and per state change at the final size, and how many state rows the
 * room cost. BENCH_MEMBERS sets the size (default 2000). Prints figures; asserts nothing.
 */
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, openTestDatabase } from "@dendrite-ts/runtime";
import { createRoomserver, roomserverContract } from "../src";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 2000);
const SERVER = "bench.local";
const ALICE = `@alice:${SERVER}`;

const db = await openTestDatabase({ max: 10 });
const streams = await createEmbeddedStreams(db);
const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:bench") });
const client = localClient(roomserverContract, rs.api);
const { roomId } = (await client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t) / n;
}

const rows: [string, string][] = [];
let joined = 0;
const window = 50;
for (const checkpoint of [window, MEMBERS / 2, MEMBERS]) {
  const start = joined;
  const upto = Math.floor(checkpoint);
  const warm = Math.max(0, upto - window - joined);
  await timed(warm, (i) => client.performJoin({ body: { userId: `@u${start + i}:${SERVER}`, roomIdOrAlias: roomId } }));
  joined += warm;
  const from = joined;
  const ms = await timed(upto - joined, (i) => client.performJoin({ body: { userId: `@u${from + i}:${SERVER}`, roomIdOrAlias: roomId } }));
  joined = upto;
  rows.push([`join at ~${upto} members`, `${ms.toFixed(1)} ms/event`]);
}
const msg = await timed(100, (i) => client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: `m${i}` } } }));
rows.push([`message at ${MEMBERS} members`, `${msg.toFixed(1)} ms/event`]);
const topic = await timed(50, (i) => client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.topic", stateKey: "", content: { topic: `t${i}` } } }));
rows.push([`state change at ${MEMBERS} members`, `${topic.toFixed(1)} ms/event`]);

const [blocks] = await db.sql`SELECT count(*)::int AS n, coalesce(sum(cardinality(event_nids)), 0)::int AS entries FROM roomserver.state_blocks`;
const [snaps] = await db.sql`SELECT count(*)::int AS n, coalesce(sum(cardinality(state_block_nids)), 0)::int AS refs FROM roomserver.state_snapshots`;
const events = MEMBERS + 150 + 8;
rows.push(["state_blocks rows / entries", `${blocks!.n} / ${blocks!.entries}`]);
rows.push(["state_snapshots rows / block refs", `${snaps!.n} / ${snaps!.refs}`]);
rows.push(["entries stored per event (vs a full copy)", `${(blocks!.entries / events).toFixed(1)} (vs ~${Math.round(MEMBERS / 2)})`]);
rows.push(["peak RSS", `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`]);

console.log(`roomserver big-room bench (${MEMBERS} members)`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(44)} ${v}`);
await rs.close();
await streams.close();
await db.close();
process.exit(0);
