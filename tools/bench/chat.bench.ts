/**
 * Core chat figures for each way of running the server (embedded monolith; monolith on
 * PostgreSQL + NATS; polylith), in one run: send → other user's /sync latency (p50, p99) once
 * the server is warm, and the p50 of the first messages after start; sustained sends per second
 * into one room and across 100 rooms; initial /sync for a user in 300 rooms (once the server is
 * quiet); and for comparison, the raw PostgreSQL single-row commit rate on this machine and the
 * floor: send → /sync through the same hops with no Matrix work in them.
 * Prints figures; asserts nothing. Modes needing services run when DENDRITE_TEST_* are set.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import { connectPostgres } from "@dendrite-ts/runtime";
import { openTestDatabase, testServices } from "@dendrite-ts/runtime/testing";
import { availableModes, startHomeserver, type HomeserverMode } from "../src/harness/homeserver";
import { RawClient } from "../src/harness/raw-client";
import { freePort, spawnEntry, waitForHttp } from "../src/harness/spawn-server";
import { treeNodeCpuSeconds } from "./process-tree";
import { senderAndReader, timeSendToSync } from "./send-to-sync";

const quick = process.env.BENCH_QUICK === "1";
const LATENCY_SAMPLES = quick ? 30 : 300;
/**
 * Messages before latency is sampled. V8 keeps compiling the server's hot path for the first
 * several hundred messages (the polylith's p50 fell from 9.7 to 6.9 ms over the first thousand
 * here), and a running server is past that: its steady state is what users see. The p50 of the
 * first COLD messages is printed too, so the start-up figure is not hidden.
 */
const WARM_UP = quick ? 20 : 1000;
const COLD = quick ? 30 : 200;
const SENDS_ONE_ROOM = quick ? 200 : 1000;
const SENDS_MANY_ROOMS = quick ? 200 : 2000;
const ROOMS_FOR_SYNC = quick ? 50 : 300;
const CONCURRENCY = 16;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function benchMode(mode: HomeserverMode): Promise<Record<string, string>> {
  const hs = await startHomeserver(mode);
  try {
    const tag = Math.random().toString(36).slice(2, 7);
    const pair = await senderAndReader(hs.baseUrl, tag);
    const { alice, bob, room } = pair;

    // send → /sync latency: bob long-polls; alice sends; time until bob's /sync returns it.
    let since = pair.since;
    const latencies: number[] = [];
    const cold: number[] = [];
    const serverPid = hs.process.child.pid!;
    let cpuAtFirstSample = 0;
    for (let i = -WARM_UP; i < LATENCY_SAMPLES; i++) {
      if (i === 0) cpuAtFirstSample = treeNodeCpuSeconds(serverPid);
      const sample = await timeSendToSync(alice, bob, room, since, `latency ${i}`);
      if (i >= 0) latencies.push(sample.ms);
      if (i + WARM_UP < COLD) cold.push(sample.ms);
      since = sample.since;
    }
    // The same work costs this VM up to twice as much CPU at some times as at others, and
    // p50 follows it: printed so figures from different runs can be compared.
    const cpuPerMessage = (treeNodeCpuSeconds(serverPid) - cpuAtFirstSample) / LATENCY_SAMPLES;

    // sustained sends into one room
    let t0 = performance.now();
    await pool(Array.from({ length: SENDS_ONE_ROOM }, (_, i) => i), CONCURRENCY, async (i) => void (await alice.send(room, `one ${i}`)));
    const oneRoom = SENDS_ONE_ROOM / ((performance.now() - t0) / 1000);

    // sustained sends across 100 rooms, timed after a round of unmeasured ones: the first sends
    // after the rooms were made ran 30–50 % slower here (fresh rooms, fresh table statistics)
    const rooms: string[] = [];
    await pool(Array.from({ length: 100 }, (_, i) => i), 8, async () => void rooms.push(await alice.createRoom()));
    await pool(Array.from({ length: SENDS_MANY_ROOMS / 2 }, (_, i) => i), CONCURRENCY, async (i) => void (await alice.send(rooms[i % rooms.length]!, `warm ${i}`)));
    t0 = performance.now();
    await pool(Array.from({ length: SENDS_MANY_ROOMS }, (_, i) => i), CONCURRENCY, async (i) => void (await alice.send(rooms[i % rooms.length]!, `many ${i}`)));
    const manyRooms = SENDS_MANY_ROOMS / ((performance.now() - t0) / 1000);

    // initial /sync of a user in N rooms
    const carol = await RawClient.register(hs.baseUrl, `carol${tag}`);
    await pool(Array.from({ length: ROOMS_FOR_SYNC }, (_, i) => i), 8, async () => void (await carol.createRoom({ preset: "private_chat" })));
    // Wait until syncapi has every room (it learns of them through the output stream) and has
    // caught up with everything sent before (its token stops moving): a quiet server is timed.
    let lastToken = "";
    for (let waited = 0; waited < 60_000; waited += 300) {
      const res = await carol.sync({ timeout: 0 });
      const rooms = Object.keys(res.rooms?.join ?? {}).length;
      if (rooms >= ROOMS_FOR_SYNC && res.next_batch === lastToken) break;
      lastToken = res.next_batch;
      await new Promise((r) => setTimeout(r, 300));
    }
    const syncTimes: number[] = [];
    let roomsSeen = 0;
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      const res = await carol.sync({ timeout: 0 });
      syncTimes.push(performance.now() - s);
      roomsSeen = Object.keys(res.rooms?.join ?? {}).length;
    }
    if (roomsSeen !== ROOMS_FOR_SYNC) throw new Error(`initial /sync listed ${roomsSeen} rooms, not ${ROOMS_FOR_SYNC}`);
    return {
      "send→sync p50": `${pct(latencies, 0.5).toFixed(1)} ms`,
      "send→sync p99": `${pct(latencies, 0.99).toFixed(1)} ms`,
      [`p50, first ${COLD}`]: `${pct(cold, 0.5).toFixed(1)} ms`,
      "server CPU/message": `${(cpuPerMessage * 1000).toFixed(1)} ms`,
      "sends/s, 1 room": oneRoom.toFixed(0),
      "sends/s, 100 rooms": manyRooms.toFixed(0),
      [`initial /sync, ${ROOMS_FOR_SYNC} rooms`]: `${pct(syncTimes, 0.5).toFixed(0)} ms`,
    };
  } finally {
    await hs.stop();
  }
}

async function postgresCommitRate(): Promise<string> {
  const db = await openTestDatabase();
  try {
    const sql = connectPostgres(db.url, { max: 1 });
    await sql`CREATE TABLE bench_commit (id serial primary key, v text)`;
    const n = 1000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await sql`INSERT INTO bench_commit (v) VALUES (${"x"})`;
    const rate = n / ((performance.now() - t0) / 1000);
    await sql.end();
    return `${rate.toFixed(0)} commits/s (${testServices().postgresUrl ? "external" : "embedded"} PostgreSQL, autocommit, one connection)`;
  } finally {
    await db.close();
  }
}

/**
 * send → /sync through tools/bench/floor-server.ts: the same hops (HTTP, two durable commits,
 * a JetStream publish and delivery) with no Matrix work, measured the same way. What this
 * machine allows before the server does anything.
 */
async function floorLatency(): Promise<string> {
  const { natsUrl } = testServices();
  if (!natsUrl) return "needs DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL";
  const db = await openTestDatabase();
  const port = await freePort();
  const server = spawnEntry("tools/bench/floor-server.ts", [db.url, natsUrl, `F${randomBytes(4).toString("hex")}`, String(port)]);
  const agent = new http.Agent({ keepAlive: true });
  const request = (method: string, body?: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method, path: "/", agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end(body);
    });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/ready`, server);
    const body = JSON.stringify({ msgtype: "m.text", body: "latency 0" });
    const latencies: number[] = [];
    for (let i = -WARM_UP; i < LATENCY_SAMPLES; i++) {
      const poll = request("GET");
      await new Promise((r) => setTimeout(r, 2));
      const t0 = performance.now();
      await request("PUT", body);
      await poll;
      if (i >= 0) latencies.push(performance.now() - t0);
    }
    return `p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms`;
  } finally {
    agent.destroy();
    await server.stop();
    await db.close();
  }
}

const results: Record<string, Record<string, string>> = {};
// BENCH_MODES=monolith,polylith runs only those.
const only = process.env.BENCH_MODES?.split(",");
for (const mode of availableModes().filter((m) => !only || only.includes(m))) {
  try {
    results[mode] = await benchMode(mode);
  } catch (e) {
    results[mode] = { error: (e as Error).message.split("\n")[0] ?? "failed" };
  }
}
console.log(`\ncore chat, raw HTTP clients on loopback; send→sync over ${LATENCY_SAMPLES} messages after ${WARM_UP} warm-up ones`);
console.table(results);
console.log(`raw PostgreSQL single-row commits: ${await postgresCommitRate()}`);
console.log(`floor, the same hops with no Matrix work (tools/bench/floor-server.ts), send→sync: ${await floorLatency()}`);
if (availableModes().length === 1) console.log("(monolith+services and polylith need DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL)");
