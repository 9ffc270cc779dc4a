// A consuming process killed with SIGKILL mid-stream and restarted loses nothing and keeps
// per-subject order (deliveries may repeat: at-least-once).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEmbeddedStreams, createJetStreamStreams, type Database, type Streams } from "../../src/index.js";
import { describeWithNats, openTestDatabase } from "../../src/testing.js";
import { deleteStreams } from "./nats-helpers.js";
import { killHard, lines, startChild } from "./child-process.js";
import { freshStream, waitFor } from "./suite.js";

const SUBJECTS = ["a", "b", "c", "d"];
const dir = mkdtempSync(join(tmpdir(), "dendrite-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * First deliveries keep per-subject order across the kill, with both implementations (JetStream
 * holds newer messages back behind the ones the killed process held: see jetstream.ts and
 * kill-order.test.ts).
 */
async function killMidStream(streams: Streams, childEnv: Record<string, string>): Promise<void> {
  const { stream, subject } = freshStream("Kill");
  const out = join(dir, `${stream}.log`);
  await streams.ensureStream({ name: stream, subjects: [`${stream}.>`] });
  await streams.ensureConsumer(stream, "killable", { ackWaitMs: 1000 });
  const publish = async (from: number, to: number) => {
    for (let n = from; n < to; n++) for (const s of SUBJECTS) await streams.publish(subject(s), { n });
  };
  await publish(0, 50);
  const env = { ...childEnv, STREAM: stream, OUT: out };
  const first = startChild("consumer-child.ts", { ...env, HOLD_AFTER: "40" });
  await waitFor(() => lines(out).length >= 40, "the first child to get going", 30_000);
  await killHard(first);
  const seenBeforeKill = lines(out).length;
  expect(seenBeforeKill).toBeLessThan(200); // it really died mid-stream
  await publish(50, 75);
  const second = startChild("consumer-child.ts", env);
  try {
    const done = () => {
      const seen = new Set(lines(out));
      return SUBJECTS.every((s) => [...Array(75).keys()].every((n) => seen.has(`${subject(s)} ${n}`)));
    };
    await waitFor(done, "every message after the restart", 30_000);
  } finally {
    await killHard(second);
  }
  const all = lines(out);
  for (const s of SUBJECTS) {
    const ns = all.filter((l) => l.startsWith(`${subject(s)} `)).map((l) => Number(l.split(" ")[1]));
    const firstSeen = ns.filter((n, i) => ns.indexOf(n) === i);
    expect(firstSeen).toEqual([...Array(75).keys()]); // nothing lost, first deliveries in order
  }
}

describe("kill -9 of the consuming process", () => {
  let db: Database | undefined;
  let streams: Streams | undefined;
  afterAll(async () => {
    await streams?.close();
    await db?.close();
  });

  it("embedded log: restarts without losing a message", async () => {
    db = await openTestDatabase();
    streams = await createEmbeddedStreams(db);
    await killMidStream(streams, { BACKEND: "embedded", DB_URL: db.url });
  }, 90_000);
});

describeWithNats("kill -9 of the consuming process (JetStream)", (servers) => {
  const prefix = `kill${Date.now().toString(36)}${process.pid}`;
  let streams: Streams | undefined;
  afterAll(async () => {
    await streams?.close();
    await deleteStreams(servers, prefix);
  });

  it("JetStream: restarts without losing a message, in order", async () => {
    streams = await createJetStreamStreams({ servers, prefix });
    await killMidStream(streams, { BACKEND: "jetstream", NATS_URL: servers, PREFIX: prefix });
  }, 90_000);
});
