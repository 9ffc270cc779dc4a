/**
 * Where one message's time goes: the monolith in this process on PostgreSQL + NATS, one sender
 * and one long-polling reader. Prints send and send → /sync latency (p50, p99), the SQL
 * statements per message, and a timeline of the statements behind the last message (ms after
 * the PUT, in the order they were sent) of the median message. Needs DENDRITE_TEST_POSTGRES_URL
 * and _NATS_URL. SEND_PATH_CPU_PROFILE=file.cpuprofile writes a CPU profile of the message loop
 * alone (not the start-up) for a profile viewer, and does not list statements.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Session } from "node:inspector";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createLogger, defaultConfigYaml, loadConfig, observeQueries } from "@dendrite-ts/runtime";
import { openTestDatabase, testServices } from "@dendrite-ts/runtime/testing";
import { writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";
import { startMonolith } from "../../apps/monolith/src/server";
import { RawClient, timelineEventIds } from "../src/harness/raw-client";

const services = testServices();
if (!services.postgresUrl || !services.natsUrl) {
  console.log("send-path: skipped (needs DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL)");
  process.exit(0);
}
const SAMPLES = process.env.BENCH_QUICK === "1" ? 50 : 300;

const dir = mkdtempSync(join(tmpdir(), "send-path-"));
const db = await openTestDatabase();
writeFileSync(join(dir, "matrix_key.pem"), writeSigningKeyPem(generateSigningKey("ed25519:t1")));
const config = loadConfig({
  yaml: defaultConfigYaml({ serverName: "localhost", polylith: true, dataDir: "." }),
  env: {},
  overrides: {
    global: {
      database: { connection_string: db.url },
      jetstream: { addresses: [services.natsUrl], topic_prefix: `B${randomBytes(4).toString("hex")}` },
      registration: { open: true },
    },
    clientapi: { rate_limiting: { enabled: false } },
    monolith: { listen: "127.0.0.1:0" },
  },
});
let recording = false;
let timeline: { at: number; query: string }[] = [];
let t0 = 0;
const profileFile = process.env.SEND_PATH_CPU_PROFILE;
// Observing statements costs CPU (postgres.js captures a stack per query), so not while profiling.
if (!profileFile) {
  observeQueries((query) => {
    if (recording) timeline.push({ at: performance.now() - t0, query: query.replace(/\s+/g, " ").trim() });
  });
}
const server = await startMonolith({ config, baseDir: dir, logger: createLogger({ level: "warn" }) });

const inspector = profileFile ? new Session() : undefined;
const post = (method: string, params?: object) =>
  new Promise<any>((resolve, reject) => inspector!.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));

try {
  const alice = await RawClient.register(server.url, "alice");
  const bob = await RawClient.register(server.url, "bob");
  const room = await alice.createRoom();
  await bob.join(room);
  let since = (await bob.sync({ timeout: 0 })).next_batch;
  const send: number[] = [];
  const toSync: number[] = [];
  const statements: number[] = [];
  const timelines: (typeof timeline)[] = [];
  if (inspector) {
    inspector.connect();
    await post("Profiler.enable");
    await post("Profiler.start");
  }
  for (let i = 0; i < SAMPLES; i++) {
    const poll = bob.sync({ since, timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 5)); // let the long-poll park
    timeline = [];
    recording = true;
    t0 = performance.now();
    const eventId = await alice.send(room, `message ${i}`);
    send.push(performance.now() - t0);
    timeline.push({ at: performance.now() - t0, query: "-- PUT answered" });
    let res = await poll;
    while (!timelineEventIds(res).includes(eventId)) res = await bob.sync({ since: res.next_batch, timeout: 10_000 });
    toSync.push(performance.now() - t0);
    recording = false;
    statements.push(timeline.filter((t) => !t.query.startsWith("--")).length);
    timelines.push(timeline);
    since = res.next_batch;
  }
  if (inspector) {
    writeFileSync(profileFile!, JSON.stringify((await post("Profiler.stop")).profile));
    inspector.disconnect();
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  console.log(`\nsend path (monolith in-process, PostgreSQL + NATS, ${SAMPLES} messages)`);
  console.table({
    "PUT send": { p50: `${pct(send, 0.5).toFixed(1)} ms`, p99: `${pct(send, 0.99).toFixed(1)} ms` },
    "send → /sync": { p50: `${pct(toSync, 0.5).toFixed(1)} ms`, p99: `${pct(toSync, 0.99).toFixed(1)} ms` },
    "SQL statements": { p50: String(pct(statements, 0.5)), p99: String(pct(statements, 0.99)) },
  });
  // The message whose send → /sync time is the median one: a typical timeline, not an outlier.
  const median = pct(toSync, 0.5);
  const typical = timelines[toSync.indexOf(median)]!;
  console.log(`statements behind a typical message (${median.toFixed(1)} ms; ms after the PUT):`);
  for (const s of typical) console.log(`${s.at.toFixed(2).padStart(8)}  ${s.query.slice(0, 120)}`);
  const p99 = pct(toSync, 0.99);
  console.log(`and behind the p99 message (${p99.toFixed(1)} ms):`);
  for (const s of timelines[toSync.indexOf(p99)]!) console.log(`${s.at.toFixed(2).padStart(8)}  ${s.query.slice(0, 120)}`);
} finally {
  observeQueries(undefined);
  await server.close();
  await db.close();
}
