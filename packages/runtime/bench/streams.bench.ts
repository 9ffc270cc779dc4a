// Streams: publish→consume latency and throughput, embedded log and JetStream side by side.
// Prints figures only; never asserts on time. Run: npm run bench (in packages/runtime).
import { performance } from "node:perf_hooks";
import { createEmbeddedStreams, createJetStreamStreams, openTestDatabase, type Streams } from "../src/index.js";

const LATENCY_ROUNDS = 300;
const THROUGHPUT_MESSAGES = 5000;
const SUBJECTS = 64;
const PAYLOAD = { event_id: "$" + "x".repeat(43), content: { body: "y".repeat(400) } }; // ≈ 512 B

interface Row {
  impl: string;
  p50: number;
  p99: number;
  publishRate: number;
  e2eRate: number;
  oneSubjectRate: number;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

async function bench(impl: string, streams: Streams): Promise<Row> {
  const tag = `Bench_${Date.now().toString(36)}`;
  await streams.ensureStream({ name: tag, subjects: [`${tag}.>`] });

  // Latency: one message at a time, publish → handler.
  await streams.ensureConsumer(tag, "latency", { filterSubject: `${tag}.lat` });
  let arrived: (() => void) | undefined;
  const lat = await streams.consume(tag, "latency", () => arrived?.(), { filterSubject: `${tag}.lat` });
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    const got = new Promise<void>((r) => (arrived = r));
    const t0 = performance.now();
    await streams.publish(`${tag}.lat`, { i, ...PAYLOAD });
    await got;
    samples.push(performance.now() - t0);
  }
  await lat.stop();

  // Throughput over many subjects: pipelined publishes (100 in flight), consumer running.
  const filter = `${tag}.room.*`;
  await streams.ensureConsumer(tag, "many", { filterSubject: filter });
  const many = await measureConsume(streams, tag, "many", filter, THROUGHPUT_MESSAGES, (i) => `${tag}.room.${i % SUBJECTS}`);
  // And one subject only: strictly sequential handling.
  const oneFilter = `${tag}.one`;
  await streams.ensureConsumer(tag, "one", { filterSubject: oneFilter });
  const one = await measureConsume(streams, tag, "one", oneFilter, THROUGHPUT_MESSAGES / 5, () => oneFilter);
  return { impl, p50: pct(samples, 0.5), p99: pct(samples, 0.99), publishRate: many.publishRate, e2eRate: many.e2eRate, oneSubjectRate: one.e2eRate };
}

async function measureConsume(
  streams: Streams,
  stream: string,
  durable: string,
  filter: string,
  total: number,
  subjectOf: (i: number) => string,
): Promise<{ publishRate: number; e2eRate: number }> {
  let consumed = 0;
  let allDone!: () => void;
  const done = new Promise<void>((r) => (allDone = r));
  const sub = await streams.consume(stream, durable, () => {
    if (++consumed === total) allDone();
  }, { filterSubject: filter });
  const t0 = performance.now();
  for (let i = 0; i < total; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + 100); j++) batch.push(streams.publish(subjectOf(j), { j, ...PAYLOAD }));
    await Promise.all(batch);
  }
  const published = performance.now();
  await done;
  const finished = performance.now();
  await sub.stop();
  return { publishRate: (total / (published - t0)) * 1000, e2eRate: (total / (finished - t0)) * 1000 };
}

const rows: Row[] = [];
const db = await openTestDatabase({ max: 10 });
try {
  const embedded = await createEmbeddedStreams(db);
  rows.push(await bench("embedded (PostgreSQL)", embedded));
  await embedded.close();
} finally {
  await db.close();
}

const natsUrl = process.env.DENDRITE_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
let js: Streams | undefined;
try {
  js = await createJetStreamStreams({ servers: natsUrl, prefix: `bench${process.pid}` });
} catch (e) {
  console.log(`JetStream skipped: ${natsUrl} unreachable (${(e as Error).message}); start nats-server -js or set DENDRITE_TEST_NATS_URL`);
}
if (js) {
  try {
    rows.push(await bench("JetStream", js));
  } finally {
    await js.close();
  }
}

const f = (x: number, d = 0) => x.toFixed(d).padStart(10);
console.log(`\nstreams: ${LATENCY_ROUNDS} sequential round trips; ${THROUGHPUT_MESSAGES} msgs (~512 B) over ${SUBJECTS} subjects; ${THROUGHPUT_MESSAGES / 5} on one subject`);
console.log(`${"implementation".padEnd(24)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"publish/s".padStart(10)}${"e2e/s".padStart(10)}${"1-subj/s".padStart(10)}`);
for (const r of rows) console.log(`${r.impl.padEnd(24)}${f(r.p50, 2)}${f(r.p99, 2)}${f(r.publishRate)}${f(r.e2eRate)}${f(r.oneSubjectRate)}`);
process.exit(0); // the embedded PostgreSQL child and any timers must not keep us alive
