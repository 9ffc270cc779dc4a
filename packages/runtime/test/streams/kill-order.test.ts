// JetStream: a consuming process killed with SIGKILL while it holds unacknowledged messages.
// The server redelivers those only after ack_wait; a new consumer on the same durable must not
// handle newer messages of their subjects first (per-subject order across the crash), while
// subjects with nothing outstanding flow at once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createJetStreamStreams, type Streams } from "../../src/index.js";
import { describeWithNats } from "../../src/testing.js";
import { deleteStreams } from "./nats-helpers.js";
import { killHard, lines, startChild } from "./child-process.js";
import { freshStream, waitFor } from "./suite.js";

const SUBJECTS = ["a", "b", "c", "d"];
/** Long enough that the new consumer is running well before the held messages come back. */
const ACK_WAIT_MS = 4000;
const dir = mkdtempSync(join(tmpdir(), "dendrite-kill-order-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithNats("kill -9 of the consuming process keeps per-subject order (JetStream)", (servers) => {
  const prefix = `korder${Date.now().toString(36)}${process.pid}`;
  const open: Streams[] = [];
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await deleteStreams(servers, prefix);
  });

  it("a new consumer handles each subject in stream order after the old one was killed", async () => {
    const streams = await createJetStreamStreams({ servers, prefix });
    open.push(streams);
    const { stream, subject } = freshStream("KillOrder");
    const out = join(dir, `${stream}.log`);
    await streams.ensureStream({ name: stream, subjects: [`${stream}.>`] });
    await streams.ensureConsumer(stream, "killable", { ackWaitMs: ACK_WAIT_MS });
    const publish = async (subjects: string[], from: number, to: number) => {
      for (let n = from; n < to; n++) for (const s of subjects) await streams.publish(subject(s), { n });
    };
    await publish(SUBJECTS, 0, 50);

    const child = startChild("ordered-consumer-child.ts", { NATS_URL: servers, PREFIX: prefix, STREAM: stream, OUT: out, ACK_WAIT_MS: String(ACK_WAIT_MS), HOLD_AFTER: "40" });
    try {
      await waitFor(() => lines(out).length >= 40, "the child to get going", 30_000);
    } finally {
      await killHard(child);
    }
    const before = lines(out).map((l) => l.split(" "));
    expect(before.length).toBeLessThan(150); // it died holding fetched, unacknowledged messages

    await publish(SUBJECTS, 50, 75); // newer messages of the subjects it held
    await publish(["fresh"], 0, 10); // a subject with nothing outstanding

    const seen: Array<{ s: string; n: number; dc: number }> = [];
    const second = await createJetStreamStreams({ servers, prefix });
    open.push(second);
    await second.consume(
      stream,
      "killable",
      (m) => void seen.push({ s: m.subject.slice(stream.length + 1), n: m.json<{ n: number }>().n, dc: m.deliveryCount }),
      // Fewer slots than held-back subjects: a subject waiting for its old messages takes none.
      { ackWaitMs: ACK_WAIT_MS, concurrency: 2 },
    );
    const handledBefore = new Set(before.map(([subj, n]) => `${subj} ${n}`));
    const done = () => {
      const all = new Set([...handledBefore, ...seen.map((x) => `${subject(x.s)} ${x.n}`)]);
      const complete = (s: string) => [...Array(75).keys()].every((n) => all.has(`${subject(s)} ${n}`));
      return SUBJECTS.every(complete) && all.has(`${subject("fresh")} 9`);
    };
    await waitFor(done, "every message after the restart", 60_000);

    for (const s of SUBJECTS) {
      const firstBefore = before.filter(([subj]) => subj === subject(s)).map(([, n]) => Number(n));
      const after = seen.filter((x) => x.s === s).map((x) => x.n);
      // What the killed child handled, then the new consumer's deliveries: in stream order, each
      // number at most repeated (at-least-once), never going back past one handled before it.
      const all = [...firstBefore, ...after];
      const firstSeen = all.filter((n, i) => all.indexOf(n) === i);
      expect(firstSeen, `subject ${s}`).toEqual([...Array(75).keys()]);
      expect(after, `subject ${s} after the restart`).toEqual([...after].sort((x, y) => x - y));
    }
    // The subject the killed process held nothing of did not wait for the held ones' ack_wait.
    const lastFresh = seen.findIndex((x) => x.s === "fresh" && x.n === 9);
    const firstRedelivered = seen.findIndex((x) => x.dc > 1);
    expect(firstRedelivered === -1 || lastFresh < firstRedelivered).toBe(true);
  }, 90_000);
});
