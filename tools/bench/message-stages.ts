/**
 * Where one message's time goes, hop by hop, in a monolith on PostgreSQL + NATS: the send →
 * /sync loop of the chat bench, with the server timestamping (bench/message-stages-preload.mjs,
 * no change to its code) its HTTP requests and answers and every socket write and read to
 * PostgreSQL and NATS. Prints, for the most common sequence of those events after a PUT, the
 * median time of each since the PUT arrived: the gaps between a write and the next read on the
 * same peer are round trips, the rest is the server's own work. Not part of `npm run bench`
 * (a profiling aid). Needs DENDRITE_TEST_POSTGRES_URL and _NATS_URL; SAMPLES (default 500).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testServices } from "@dendrite-ts/runtime/testing";
import { startHomeserver } from "../src/harness/homeserver";
import { senderAndReader, timeSendToSync } from "./send-to-sync";

const { postgresUrl, natsUrl } = testServices();
if (!postgresUrl || !natsUrl) {
  console.log("message-stages: needs DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL");
  process.exit(0);
}
const SAMPLES = Number(process.env.SAMPLES ?? 500);
const WARM_UP = 1000;

const out = join(mkdtempSync(join(tmpdir(), "message-stages-")), "marks.json");
process.env.MESSAGE_STAGES_OUT = out;
process.env.DENDRITE_SERVER_NODE_ARGS = `${process.env.DENDRITE_SERVER_NODE_ARGS ?? ""} --import ${new URL("./message-stages-preload.mjs", import.meta.url).pathname}`;
const hs = await startHomeserver("monolith+services");
const latencies: number[] = [];
try {
  const tag = Math.random().toString(36).slice(2, 7);
  const pair = await senderAndReader(hs.baseUrl, tag);
  const { alice, bob, room } = pair;
  let since = pair.since;
  for (let i = -WARM_UP; i < SAMPLES; i++) {
    const sample = await timeSendToSync(alice, bob, room, since, `stages ${i}`);
    if (i >= 0) latencies.push(sample.ms);
    since = sample.since;
  }
} finally {
  await hs.stop();
}

// One message: from a PUT's arrival to the next PUT's; only the last SAMPLES are kept.
const flat = JSON.parse(readFileSync(out, "utf8")) as (string | number)[];
const messages: [string, number][][] = [];
for (let i = 0; i < flat.length; i += 2) {
  const name = flat[i] as string;
  const t = flat[i + 1] as number;
  if (name === "PUT in") messages.push([]);
  messages.at(-1)?.push([name, t]);
}
const measured = messages.slice(-SAMPLES);
const byPattern = new Map<string, [string, number][][]>();
for (const m of measured) {
  const key = m.map(([n]) => n).join(" > ");
  byPattern.set(key, [...(byPattern.get(key) ?? []), m]);
}
const [, common] = [...byPattern].sort((a, b) => b[1].length - a[1].length)[0]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sorted = [...latencies].sort((a, b) => a - b);
console.log(`\nsend → /sync p50 ${median(latencies).toFixed(2)} ms over ${SAMPLES} messages; the most common sequence (${common.length} of them), ms after the PUT arrived:`);
common[0]!.forEach(([name], i) => {
  const at = median(common.map((m) => m[i]![1] - m[0]![1]));
  console.log(`  ${at.toFixed(3).padStart(7)}  ${name}`);
});
console.log(`(p99 ${sorted[Math.floor(sorted.length * 0.99)]!.toFixed(2)} ms)`);
