/**
 * Send → other user's /sync latency of two checkouts, measured side by side: a monolith on
 * PostgreSQL + NATS from each, and the messages alternate between them, so both see the same
 * machine. This VM's speed drifts by up to 2× over minutes, so two runs one after the other
 * differ by more than most changes do; interleaved, the same code against itself agrees to
 * ~0.05 ms at p50. Not part of `npm run bench` (it needs the other checkout).
 *
 *   COMPARE_WITH=/path/to/other/checkout node --conditions=@dendrite-ts/source --import tsx bench/compare-latency.ts
 *
 * The other checkout needs its own `npm ci`. Needs DENDRITE_TEST_POSTGRES_URL and _NATS_URL.
 * WARM_UP (default 1000) and SAMPLES (default 400) messages per side.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { defaultConfigYaml } from "@dendrite-ts/runtime";
import { openTestDatabase, testServices } from "@dendrite-ts/runtime/testing";
import { writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";
import { RawClient, timelineEventIds } from "../src/harness/raw-client";
import { freePort, REPO_ROOT, waitForHttp, type SpawnedServer } from "../src/harness/spawn-server";
import { treeNodeCpuSeconds } from "./process-tree";

const other = process.env.COMPARE_WITH;
const { postgresUrl, natsUrl } = testServices();
if (!other || !postgresUrl || !natsUrl) {
  console.log("compare-latency: needs COMPARE_WITH=<other checkout>, DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL");
  process.exit(0);
}
const WARM_UP = Number(process.env.WARM_UP ?? 1000);
const SAMPLES = Number(process.env.SAMPLES ?? 400);

/** The monolith of the checkout at `root` on its own fresh database and stream prefix. */
async function startMonolithAt(root: string) {
  const dir = mkdtempSync(join(tmpdir(), "compare-"));
  const db = await openTestDatabase();
  const port = await freePort();
  writeFileSync(join(dir, "dendrite.yaml"), defaultConfigYaml({ serverName: "localhost", polylith: true, dataDir: "." }));
  writeFileSync(join(dir, "matrix_key.pem"), writeSigningKeyPem(generateSigningKey("ed25519:t1")));
  const env = {
    ...process.env,
    DENDRITE_LOGGING__LEVEL: "warn",
    DENDRITE_GLOBAL__REGISTRATION__OPEN: "true",
    DENDRITE_CLIENTAPI__RATE_LIMITING__ENABLED: "false",
    DENDRITE_GLOBAL__DATABASE__CONNECTION_STRING: db.url,
    DENDRITE_GLOBAL__JETSTREAM__ADDRESSES: JSON.stringify([natsUrl]),
    DENDRITE_GLOBAL__JETSTREAM__TOPIC_PREFIX: `C${randomBytes(5).toString("hex")}`,
  };
  const args = ["--conditions=@dendrite-ts/source", "--import", "tsx", join(root, "apps/monolith/src/main.ts"), "--config", join(dir, "dendrite.yaml"), "--http-port", String(port)];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise((r) => child.once("exit", r));
  const server: SpawnedServer = {
    child,
    output: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      return child.exitCode;
    },
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/_matrix/client/v3/register/available?username=readiness`, server, 120_000);
  } catch (e) {
    await server.stop();
    await db.close();
    throw e;
  }
  return {
    baseUrl,
    pid: child.pid!,
    async stop() {
      await server.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const roots = { [`this (${REPO_ROOT})`]: REPO_ROOT, [`other (${resolve(other)})`]: resolve(other) };
type Monolith = Awaited<ReturnType<typeof startMonolithAt>>;
interface Side {
  name: string;
  hs: Monolith;
  alice: RawClient;
  bob: RawClient;
  room: string;
  since: string;
  latencies: number[];
  cpuAtStart: number;
}
const servers: Monolith[] = [];
try {
  const sides: Side[] = [];
  for (const [name, root] of Object.entries(roots)) {
    const hs = await startMonolithAt(root);
    servers.push(hs);
    const tag = randomBytes(3).toString("hex");
    const alice = await RawClient.register(hs.baseUrl, `alice${tag}`);
    const bob = await RawClient.register(hs.baseUrl, `bob${tag}`);
    const room = await alice.createRoom();
    await bob.join(room);
    const since = (await bob.sync({ timeout: 0 })).next_batch as string;
    sides.push({ name, hs, alice, bob, room, since, latencies: [] as number[], cpuAtStart: 0 });
  }
  // One message on one side, timed as the chat bench times it.
  const once = async (s: Side, i: number): Promise<number> => {
    const poll = s.bob.sync({ since: s.since, timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 2)); // let the long-poll park
    const t0 = performance.now();
    const eventId = await s.alice.send(s.room, `latency ${i}`);
    let res = await poll;
    while (!timelineEventIds(res).includes(eventId)) res = await s.bob.sync({ since: res.next_batch, timeout: 10_000 });
    s.since = res.next_batch;
    return performance.now() - t0;
  };
  for (let i = -WARM_UP; i < SAMPLES; i++) {
    // Which side goes first alternates too.
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      if (i === 0) s.cpuAtStart = treeNodeCpuSeconds(s.hs.pid);
      const took = await once(s, i);
      if (i >= 0) s.latencies.push(took);
    }
  }
  const table: Record<string, Record<string, string>> = {};
  for (const s of sides) {
    table[s.name] = {
      "send→sync p50": `${pct(s.latencies, 0.5).toFixed(2)} ms`,
      p90: `${pct(s.latencies, 0.9).toFixed(2)} ms`,
      p99: `${pct(s.latencies, 0.99).toFixed(2)} ms`,
      "server CPU/message": `${(((treeNodeCpuSeconds(s.hs.pid) - s.cpuAtStart) / SAMPLES) * 1000).toFixed(2)} ms`,
    };
  }
  console.log(`\nmonolith + PostgreSQL + NATS, two checkouts, ${SAMPLES} messages each after ${WARM_UP} warm-up ones, interleaved`);
  console.table(table);
} finally {
  for (const hs of servers) await hs.stop();
}
