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
 * WARM_UP (default 1000) and SAMPLES (default 400) messages per side. NODE_ARGS_THIS and
 * NODE_ARGS_OTHER give each side's server its own node flags (COMPARE_WITH=. compares flags alone).
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { testServices } from "@dendrite-ts/runtime/testing";
import { startHomeserver, type Homeserver } from "../src/harness/homeserver";
import { RawClient } from "../src/harness/raw-client";
import { REPO_ROOT } from "../src/harness/spawn-server";
import { treeNodeCpuSeconds } from "./process-tree";
import { senderAndReader, timeSendToSync } from "./send-to-sync";

const other = process.env.COMPARE_WITH;
const { postgresUrl, natsUrl } = testServices();
if (!other || !postgresUrl || !natsUrl) {
  console.log("compare-latency: needs COMPARE_WITH=<other checkout>, DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL");
  process.exit(0);
}
const WARM_UP = Number(process.env.WARM_UP ?? 1000);
const SAMPLES = Number(process.env.SAMPLES ?? 400);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const roots = {
  [`this (${REPO_ROOT}) ${process.env.NODE_ARGS_THIS ?? ""}`.trim()]: REPO_ROOT,
  [`other (${resolve(other)}) ${process.env.NODE_ARGS_OTHER ?? ""}`.trim()]: resolve(other),
};
interface Side {
  name: string;
  hs: Homeserver;
  alice: RawClient;
  bob: RawClient;
  room: string;
  since: string;
  latencies: number[];
  cpuAtStart: number;
}
const servers: Homeserver[] = [];
try {
  const sides: Side[] = [];
  const nodeArgs = [process.env.NODE_ARGS_THIS, process.env.NODE_ARGS_OTHER];
  for (const [i, [name, root]] of Object.entries(roots).entries()) {
    if (nodeArgs[i] !== undefined) process.env.DENDRITE_SERVER_NODE_ARGS = nodeArgs[i];
    const hs = await startHomeserver("monolith+services", { root });
    servers.push(hs);
    const tag = randomBytes(3).toString("hex");
    const { alice, bob, room, since } = await senderAndReader(hs.baseUrl, tag);
    sides.push({ name, hs, alice, bob, room, since, latencies: [], cpuAtStart: 0 });
  }
  for (let i = -WARM_UP; i < SAMPLES; i++) {
    // Which side goes first alternates too.
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      if (i === 0) s.cpuAtStart = treeNodeCpuSeconds(s.hs.process.child.pid!);
      const sample = await timeSendToSync(s.alice, s.bob, s.room, s.since, `latency ${i}`);
      s.since = sample.since;
      if (i >= 0) s.latencies.push(sample.ms);
    }
  }
  const table: Record<string, Record<string, string>> = {};
  for (const s of sides) {
    table[s.name] = {
      "send→sync p50": `${pct(s.latencies, 0.5).toFixed(2)} ms`,
      p90: `${pct(s.latencies, 0.9).toFixed(2)} ms`,
      p99: `${pct(s.latencies, 0.99).toFixed(2)} ms`,
      "server CPU/message": `${(((treeNodeCpuSeconds(s.hs.process.child.pid!) - s.cpuAtStart) / SAMPLES) * 1000).toFixed(2)} ms`,
    };
  }
  console.log(`\nmonolith + PostgreSQL + NATS, two checkouts, ${SAMPLES} messages each after ${WARM_UP} warm-up ones, interleaved`);
  console.table(table);
} finally {
  for (const hs of servers) await hs.stop();
}
