// One behavioural suite for every Streams implementation. No assertion depends on timing:
// waits end when the expected messages arrive (or the test times out).
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ConsumeOptions, StreamMessage, Streams, Subscription } from "../../src/index.js";

export interface StreamsHarness {
  /** A new Streams over the same backing store: a second call is a "restarted process". */
  open(): Promise<Streams>;
  cleanup?(): Promise<void>;
}

let unique = 0;
/** A fresh stream per test so tests on one backend never see each other's messages. */
export function freshStream(label: string): { stream: string; subject: (s: string) => string } {
  const stream = `${label}_${process.pid}_${++unique}`;
  return { stream, subject: (s) => `${stream}.${s}` };
}

export function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (cond()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 10);
    };
    check();
  });
}

interface Seen {
  subject: string;
  n: number;
  deliveryCount: number;
}

export function defineStreamsSuite(harness: StreamsHarness): void {
  let streams: Streams;
  const subs: Subscription[] = [];
  beforeAll(async () => {
    streams = await harness.open();
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop()));
    await streams.close();
    await harness.cleanup?.();
  });

  async function setup(label: string, durable: string, opts: ConsumeOptions = {}) {
    const f = freshStream(label);
    await streams.ensureStream({ name: f.stream, subjects: [`${f.stream}.>`] });
    await streams.ensureConsumer(f.stream, durable, opts);
    return f;
  }
  async function consume(stream: string, durable: string, h: (m: StreamMessage) => Promise<void> | void, opts: ConsumeOptions = {}) {
    const s = await streams.consume(stream, durable, h, opts);
    subs.push(s);
    return s;
  }
  const n = (m: StreamMessage) => m.json<{ n: number }>().n;

  it("delivers each subject's messages in publish order, subjects in parallel", async () => {
    const { stream, subject } = await setup("Order", "c1");
    const rooms = ["a", "b", "c"];
    for (let i = 0; i < 20; i++) for (const r of rooms) await streams.publish(subject(r), { n: i });
    const seen: Seen[] = [];
    let releaseA!: () => void;
    const bDone = new Promise<void>((r) => (releaseA = r));
    await consume(stream, "c1", async (m) => {
      // Room a's first message waits for all of room b: only parallel subjects can finish.
      if (m.subject === subject("a") && n(m) === 0) await bDone;
      seen.push({ subject: m.subject, n: n(m), deliveryCount: m.deliveryCount });
      if (seen.filter((s) => s.subject === subject("b")).length === 20) releaseA();
    });
    await waitFor(() => seen.length === 60, "60 messages");
    for (const r of rooms) {
      expect(seen.filter((s) => s.subject === subject(r)).map((s) => s.n)).toEqual([...Array(20).keys()]);
    }
  });

  it("hands on every message when the handler finishes at once, subjects taking turns", async () => {
    // Pairs of subjects alternating in runs of four, each pair then done for good: a message
    // that arrived just as its subject's previous one finished must not wait for a successor.
    const { stream, subject } = await setup("Turns", "turns");
    const total = 400;
    const subjectOf = (i: number) => subject(`g${Math.floor(i / 4)}${i % 2 === 0 ? "a" : "b"}`);
    for (let i = 0; i < total; i++) await streams.publish(subjectOf(i), { n: i });
    const seen = new Set<number>();
    await consume(stream, "turns", (m) => void seen.add(n(m)), { concurrency: 4 });
    await waitFor(() => seen.size === total, `all ${total} messages`);
  });

  it("resumes a durable consumer after close and reopen, losing nothing", async () => {
    const { stream, subject } = await setup("Durable", "c2");
    for (let i = 0; i < 10; i++) await streams.publish(subject("r"), { n: i });
    const first = await harness.open();
    const got: number[] = [];
    const sub = await first.consume(stream, "c2", (m) => {
      if (got.length >= 4) throw new Error("not now"); // leave the rest unacked
      got.push(n(m));
    });
    await waitFor(() => got.length === 4, "4 messages");
    await sub.stop();
    await first.close();
    for (let i = 10; i < 15; i++) await streams.publish(subject("r"), { n: i }); // while nobody listens
    const second = await harness.open();
    try {
      const later: number[] = [];
      await second.consume(stream, "c2", (m) => void later.push(n(m)));
      await waitFor(() => later.includes(14), "message 14");
      expect(got).toEqual([0, 1, 2, 3]);
      expect(later).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    } finally {
      await second.close();
    }
  });

  it("redelivers on nak() and on a thrown error, holding back the subject meanwhile", async () => {
    const { stream, subject } = await setup("Nak", "c3");
    for (let i = 0; i < 3; i++) await streams.publish(subject("r"), { n: i });
    const seen: Seen[] = [];
    await consume(stream, "c3", (m) => {
      seen.push({ subject: m.subject, n: n(m), deliveryCount: m.deliveryCount });
      if (n(m) === 0 && m.deliveryCount === 1) m.nak(20);
      if (n(m) === 1 && m.deliveryCount < 3) throw new Error("transient");
    });
    await waitFor(() => seen.some((s) => s.n === 2), "message 2");
    expect(seen.map((s) => [s.n, s.deliveryCount])).toEqual([[0, 1], [0, 2], [1, 1], [1, 2], [1, 3], [2, 1]]);
  });

  it("redelivers when the handler outlives ackWait", async () => {
    const { stream, subject } = await setup("AckWait", "c4", { ackWaitMs: 1000 });
    await streams.publish(subject("r"), { n: 0 });
    await streams.publish(subject("r"), { n: 1 });
    const seen: Array<[number, number]> = [];
    await consume(
      stream,
      "c4",
      (m) => {
        seen.push([n(m), m.deliveryCount]);
        if (m.deliveryCount === 1 && n(m) === 0) return new Promise<void>(() => {}); // hangs forever
      },
      { ackWaitMs: 1000 },
    );
    await waitFor(() => seen.some(([x]) => x === 1), "message 1");
    expect(seen).toEqual([[0, 1], [0, 2], [1, 1]]);
  });

  it("stores a re-published msgId once", async () => {
    const { stream, subject } = await setup("Dedup", "c5");
    const a = await streams.publish(subject("r"), { n: 1 }, { msgId: "evt-1" });
    const b = await streams.publish(subject("r"), { n: 1 }, { msgId: "evt-1" });
    const c = await streams.publish(subject("r"), { n: 2 }, { msgId: "evt-2" });
    expect(a).toMatchObject({ stream, duplicate: false });
    expect(b).toEqual({ ...a, duplicate: true });
    expect(c.duplicate).toBe(false);
    expect(c.seq).toBeGreaterThan(a.seq);
    const seen: Array<[number, string | undefined]> = [];
    await consume(stream, "c5", (m) => void seen.push([n(m), m.msgId]));
    await waitFor(() => seen.some(([x]) => x === 2), "the message after the duplicate");
    expect(seen).toEqual([[1, "evt-1"], [2, "evt-2"]]);
  });

  it("fails a publish to a subject no stream holds, and publishes on after it", async () => {
    const { stream, subject } = await setup("Orphan", "c9");
    await expect(streams.publish(`Nowhere_${process.pid}_${++unique}.r`, { n: 1 })).rejects.toThrow(/stream/);
    const ack = await streams.publish(subject("r"), { n: 2 });
    expect(ack).toMatchObject({ stream, duplicate: false });
  });

  it("acknowledges publishes made side by side, each with its own sequence", async () => {
    const { stream, subject } = await setup("Burst", "c10");
    const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => streams.publish(subject(`r${i % 5}`), { n: i }, { msgId: `burst-${i}` })));
    expect(acks.every((a) => a.stream === stream && !a.duplicate)).toBe(true);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(50);
    const again = await streams.publish(subject("r0"), { n: 0 }, { msgId: "burst-0" });
    expect(again).toEqual({ ...acks[0], duplicate: true });
  });

  it("carries raw bytes, filters by subject and drops after maxDeliver", async () => {
    const f = freshStream("Filter");
    await streams.ensureStream({ name: f.stream, subjects: [`${f.stream}.>`] });
    const opts: ConsumeOptions = { filterSubject: f.subject("keep.*"), maxDeliver: 2 };
    await streams.ensureConsumer(f.stream, "c6", opts);
    await streams.publish(f.subject("keep.1"), new Uint8Array([1, 2, 3]));
    await streams.publish(f.subject("skip.1"), { n: 0 });
    await streams.publish(f.subject("keep.1"), { n: 1 });
    await streams.publish(f.subject("keep.1"), { n: 2 });
    const seen: string[] = [];
    const dropped: number[] = [];
    await consume(
      f.stream,
      "c6",
      (m) => {
        const isBytes = m.data[0] === 1;
        seen.push(isBytes ? `bytes:${[...m.data].join(",")}` : `n:${n(m)}#${m.deliveryCount}`);
        if (!isBytes && n(m) === 1) throw new Error("poison");
      },
      { ...opts, onError: (_e, m, isDropped) => isDropped && dropped.push(m.seq) },
    );
    await waitFor(() => seen.includes("n:2#1"), "message 2");
    expect(seen).toEqual(["bytes:1,2,3", "n:1#1", "n:1#2", "n:2#1"]);
    expect(dropped).toHaveLength(1);
  });

  it("reports a consumer's lag: messages not yet acknowledged, within its filter", async () => {
    const f = freshStream("Lag");
    await streams.ensureStream({ name: f.stream, subjects: [`${f.stream}.>`] });
    const opts: ConsumeOptions = { filterSubject: f.subject("keep") };
    await streams.ensureConsumer(f.stream, "c7", opts);
    const lagIs = async (want: number, what: string) => {
      let last = -1;
      const started = Date.now();
      while ((last = await streams.consumerLag(f.stream, "c7")) !== want) {
        if (Date.now() - started > 15_000) throw new Error(`lag ${last}, wanted ${want} (${what})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await lagIs(0, "nothing published");
    const N = 10;
    const K = 4;
    for (let i = 0; i < N; i++) await streams.publish(f.subject("keep"), { n: i });
    await streams.publish(f.subject("skip"), { n: -1 }); // outside the filter: no lag
    await lagIs(N, "all published");
    expect(streams.activeConsumers().some((c) => c.stream === f.stream)).toBe(false);

    // Handle the first K; message K holds (in flight, not acked), the rest wait behind it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const handled: number[] = [];
    await consume(
      f.stream,
      "c7",
      async (m) => {
        if (n(m) === K) await held;
        handled.push(n(m));
      },
      opts,
    );
    expect(streams.activeConsumers()).toContainEqual({ stream: f.stream, durable: "c7" });
    await waitFor(() => handled.length === K, `${K} handled`);
    await lagIs(N - K, "K handled");
    release();
    await waitFor(() => handled.length === N, "all handled");
    await lagIs(0, "all handled");
    await expect(streams.consumerLag(f.stream, "nope")).rejects.toThrow();
  });
}
