// Streams on NATS JetStream (polylith): durable pull consumers, Nats-Msg-Id de-duplication.
// JetStream delivers a consumer's messages in stream order but redelivers a failed one after
// its successors; to keep per-subject order we retry a failed message here, in front of its
// subject's queue, and hold the server's ack timer with working() meanwhile. The server's own
// redelivery covers a process that dies; a new subscription keeps order across that (see
// CrashRecovery): newer messages of a subject the dead process held wait for the held ones.
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Consumer, ConsumerConfig, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_CONCURRENCY,
  Delivery,
  encodePayload,
  runDelivery,
  uniqueConsumers,
  validateStreamName,
} from "./common.js";
import { JetStreamPublisher } from "./jetstream-publisher.js";
import type {
  ConsumeOptions,
  ConsumerOptions,
  MessageHandler,
  PublishAck,
  PublishOptions,
  StreamDefinition,
  Streams,
  Subscription,
} from "./types.js";

export interface JetStreamStreamsOptions {
  servers: string | string[];
  /** Namespace on a shared NATS: stream `<prefix>_<name>`, subjects `<prefix>.<subject>`. */
  prefix?: string;
  /** Connection name shown by the server. */
  name?: string;
}

const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const MAX_ACK_PENDING = 10_000;
const FETCH_BATCH = 256;
/** A pull request lives this long; stop() waits for the last one to end (see the reader). */
const FETCH_EXPIRES_MS = 1000;
/** Recovery reads at most this many stream messages (headers only) to learn pending subjects. */
const RECOVERY_SCAN_LIMIT = 4 * MAX_ACK_PENDING;
const ms2ns = (ms: number) => ms * 1_000_000;

export async function createJetStreamStreams(opts: JetStreamStreamsOptions): Promise<Streams> {
  if (opts.prefix !== undefined) validateStreamName(opts.prefix);
  // noAsyncTraces: otherwise every request (each publish waits for an ack) builds two Error
  // objects up front for their stack traces — a measurable share of the CPU per message.
  const nc = await connect({ servers: opts.servers, name: opts.name ?? "dendrite-ts", maxReconnectAttempts: -1, noAsyncTraces: true });
  return new JetStreamLog(nc, await jetstreamManager(nc), jetstream(nc), opts.prefix);
}

class JetStreamLog implements Streams {
  private readonly subs = new Set<JetStreamSubscription>();
  private closed = false;
  private readonly publisher: JetStreamPublisher;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly prefix: string | undefined,
  ) {
    this.publisher = new JetStreamPublisher(nc);
  }

  private streamName = (name: string) => (this.prefix ? `${this.prefix}_${name}` : name);
  private subjectOut = (s: string) => (this.prefix ? `${this.prefix}.${s}` : s);
  private subjectIn = (s: string) => (this.prefix ? s.slice(this.prefix.length + 1) : s);
  private streamIn = (s: string) => (this.prefix ? s.slice(this.prefix.length + 1) : s);

  async ensureStream(def: StreamDefinition): Promise<void> {
    validateStreamName(def.name);
    const name = this.streamName(def.name);
    const subjects = def.subjects.map(this.subjectOut);
    const duplicate_window = ms2ns(def.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS);
    try {
      const info = await this.jsm.streams.info(name);
      await this.jsm.streams.update(name, { ...info.config, subjects, duplicate_window });
    } catch (e) {
      if (!isApiError(e, JetStreamApiCodes.StreamNotFound)) throw e;
      await this.jsm.streams.add({ name, subjects, duplicate_window });
    }
  }

  async ensureConsumer(stream: string, durable: string, opts: ConsumerOptions = {}): Promise<void> {
    validateStreamName(durable);
    const name = this.streamName(stream);
    const wanted: Partial<ConsumerConfig> = {
      ack_wait: ms2ns(opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
      max_deliver: opts.maxDeliver ?? -1,
    };
    const filter = opts.filterSubject ? this.subjectOut(opts.filterSubject) : undefined;
    try {
      const info = await this.jsm.consumers.info(name, durable);
      if ((info.config.filter_subject || undefined) !== filter) {
        throw new Error(`consumer ${stream}/${durable} exists with another filterSubject; delete it to change it`);
      }
      if (info.config.ack_wait !== wanted.ack_wait || info.config.max_deliver !== wanted.max_deliver) {
        await this.jsm.consumers.update(name, durable, wanted);
      }
    } catch (e) {
      if (!isApiError(e, JetStreamApiCodes.ConsumerNotFound)) throw e;
      await this.jsm.consumers.add(name, {
        ...wanted,
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: MAX_ACK_PENDING,
        ...(filter ? { filter_subject: filter } : {}),
      });
    }
  }

  async publish(subject: string, payload: unknown, opts: PublishOptions = {}): Promise<PublishAck> {
    const ack = await this.publisher.publish(this.subjectOut(subject), encodePayload(payload), opts.msgId);
    return { stream: this.streamIn(ack.stream), seq: ack.seq, duplicate: ack.duplicate };
  }

  async consume(stream: string, durable: string, handler: MessageHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new Error("streams closed");
    await this.ensureConsumer(stream, durable, opts);
    const consumer = await this.js.consumers.get(this.streamName(stream), durable);
    const scan: ScanSubjects = (from, to, limit, filter) => this.scanSubjects(this.streamName(stream), from, to, limit, filter);
    const sub = new JetStreamSubscription(stream, durable, consumer, handler, opts, this.subjectIn, scan, () => this.subs.delete(sub));
    this.subs.add(sub);
    return sub;
  }

  /**
   * Subjects of the stream messages with from <= seq <= to (at most `limit` of them, matching
   * `filter`), read with a throwaway headers-only consumer: one pass, no payloads.
   */
  private async scanSubjects(stream: string, from: number, to: number, limit: number, filter: string | undefined) {
    const found: Array<[seq: number, subject: string]> = [];
    if (to < from || limit <= 0) return found;
    const ci = await this.jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
      headers_only: true,
      mem_storage: true,
      inactive_threshold: ms2ns(30_000),
      ...(filter ? { filter_subject: filter } : {}),
    });
    try {
      const scanner = this.js.consumers.getConsumerFromInfo(ci);
      let done = false;
      while (!done && found.length < limit) {
        // The range's length bounds what is left in it (less with a filter or deleted messages).
        const left = Math.min(limit - found.length, to - Math.max(from, (found[found.length - 1]?.[0] ?? 0) + 1) + 1);
        if (left <= 0) break;
        const batch = await scanner.fetch({ max_messages: Math.min(left, 4096), expires: FETCH_EXPIRES_MS });
        let got = 0;
        for await (const m of batch) {
          got++;
          if (m.seq <= to) found.push([m.seq, m.subject]);
          if (m.seq >= to || m.info.pending === 0) done = true; // the range's or the stream's end
          if (done || found.length >= limit) batch.stop();
        }
        if (got === 0) done = true;
      }
    } finally {
      void this.jsm.consumers.delete(stream, ci.name).catch(() => {}); // or it expires unused
    }
    return found;
  }

  async consumerLag(stream: string, durable: string): Promise<number> {
    // num_pending: matching messages not delivered yet; num_ack_pending: delivered, not acked.
    const info = await this.jsm.consumers.info(this.streamName(stream), durable);
    return info.num_pending + info.num_ack_pending;
  }

  activeConsumers(): Array<{ stream: string; durable: string }> {
    return uniqueConsumers([...this.subs].map((s) => ({ stream: s.stream, durable: s.durable })));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.stop()));
    await this.publisher.close();
    await this.nc.drain();
  }
}

type ScanSubjects = (
  from: number,
  to: number,
  limit: number,
  filter: string | undefined,
) => Promise<Array<[seq: number, subject: string]>>;

function isApiError(e: unknown, code: number): boolean {
  return e instanceof JetStreamApiError && e.code === code;
}

interface Held {
  msg: JsMsg;
  /** Failed attempts made here since the server last delivered it. */
  localFailures: number;
}

/**
 * Order across a crash. A killed process leaves the messages it had fetched pending on the server
 * until their ack_wait runs out, while a new subscription would already fetch newer ones. So at
 * start, when the consumer has messages pending, we read the subjects of the stream messages
 * between its ack floor and the last one delivered (a superset of the pending ones: some there
 * may be acked already) and treat each as a suspect: a newer message of its subject waits, parked
 * (leased with working(), taking no concurrency slot), until every older suspect of the subject
 * has come back to us (the server redelivers it after ack_wait, at once when a clean stop nak'ed
 * it), or the ack floor has passed it (acked, maybe out of order or by someone else), or ack_wait
 * and a margin have gone by since the start (then it will not come back: acked, or out of
 * deliveries). Other subjects flow at once; with nothing pending none of this runs.
 */
interface CrashRecovery {
  /** Subject → stream sequences (ascending) that may still be pending elsewhere. */
  suspects: Map<string, number[]>;
  deadline: number;
}

/** After ack_wait, how long a suspect may take to come back before we stop waiting for it. */
const RECOVERY_MARGIN_MS = 2000;

class JetStreamSubscription implements Subscription {
  private readonly queues = new Map<string, Held[]>();
  private readonly held = new Map<number, Held>();
  private readonly waiting: string[] = []; // subjects with work, beyond the concurrency limit
  /** Subjects whose drain loop will still look at their queue (see drain's finally). */
  private readonly active = new Set<string>();
  /** Drain loops not yet settled, for stop(). */
  private readonly drains = new Set<Promise<void>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly reader: Promise<void>;
  private recovery: CrashRecovery | undefined;
  private watcher: Promise<void> | undefined;
  /** Subjects whose queue head waits for an older suspect (see CrashRecovery). */
  private readonly parked = new Set<string>();
  private readonly ackWaitMs: number;
  private readonly concurrency: number;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();

  constructor(
    readonly stream: string,
    readonly durable: string,
    consumer: Consumer,
    private readonly handler: MessageHandler,
    private readonly opts: ConsumeOptions,
    private readonly subjectIn: (s: string) => string,
    private readonly scan: ScanSubjects,
    private readonly onStop: () => void,
  ) {
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    // Messages we hold (queued behind their subject, or being retried) keep their lease.
    this.heartbeat = setInterval(() => {
      for (const h of this.held.values()) h.msg.working();
    }, Math.max(50, Math.floor(this.ackWaitMs / 3)));
    this.reader = this.read(consumer);
  }

  /**
   * Bounded fetches rather than consume(): a pull request still open on the server when we nak
   * on stop() would take the redelivered message and drop it (the subscriber is gone), so that
   * message would wait a full ack_wait. stop() lets the last fetch end before nak'ing.
   */
  private async read(consumer: Consumer): Promise<void> {
    try {
      await this.recover(consumer);
    } catch (e) {
      if (this.stopped) return;
      const what = "could not read what a previous consumer left pending; order across its crash not kept";
      console.error(`[streams] ${this.stream}: ${what}:`, e);
    }
    while (!this.stopped) {
      // (Not while recovering: parked messages wait for redeliveries that only a fetch brings;
      // the server's max_ack_pending bounds what we hold then.)
      if (this.held.size >= 4 * FETCH_BATCH && !this.recovery) {
        await this.sleep(20); // back-pressure: let handlers catch up
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: FETCH_BATCH, expires: FETCH_EXPIRES_MS });
        for await (const m of batch) this.push(m);
      } catch (e) {
        if (this.stopped) return;
        // A fetch ends with "heartbeats missed" when this process was too busy to see two of the
        // server's idle heartbeats (500 ms apart): nothing is wrong with the server, so fetch
        // again at once rather than stall the stream for a second.
        if (e instanceof Error && e.message === "heartbeats missed") continue;
        console.error(`[streams] ${this.stream}: fetch failed, retrying:`, e);
        await this.sleep(1000);
      }
    }
  }

  /** Before the first fetch: learn what a previous consumer left pending (see CrashRecovery). */
  private async recover(consumer: Consumer): Promise<void> {
    let info = await consumer.info(true); // as read by consume() a moment ago
    // A pull request of a process that just died may still be open on the server (until the
    // server notices or it expires): let it end, or it could take messages we then overtake.
    const patience = Date.now() + FETCH_EXPIRES_MS + 500;
    while (info.num_waiting > 0 && Date.now() < patience && !this.stopped) {
      await this.sleep(100);
      info = await consumer.info();
    }
    if (info.num_ack_pending === 0 || this.stopped) return;
    const started = Date.now();
    const floor = info.ack_floor.stream_seq;
    const last = info.delivered.stream_seq;
    const filter = info.config.filter_subject || undefined;
    const half = RECOVERY_SCAN_LIMIT / 2;
    const found = await this.scan(floor + 1, last, half, filter);
    const scanned = found.length > 0 ? found[found.length - 1]![0] : floor;
    if (found.length >= half && scanned < last) {
      // A long range (a message stuck at the floor while later ones were acked): read its end
      // too, where the messages in flight were. The middle is not covered.
      const from = Math.max(scanned + 1, last - half + 1);
      if (from > scanned + 1) {
        const what = `${last - floor} messages between ack floor and last delivered`;
        console.error(`[streams] ${this.stream}: ${what}; order across a crash not kept for ${scanned + 1}..${from - 1}`);
      }
      found.push(...(await this.scan(from, last, half, filter)));
    }
    const suspects = new Map<string, number[]>();
    for (const [seq, subject] of found) {
      const seqs = suspects.get(subject);
      if (seqs) seqs.push(seq);
      else suspects.set(subject, [seq]);
    }
    if (suspects.size === 0 || this.stopped) return;
    const ackWaitMs = Math.round((info.config.ack_wait ?? 0) / 1_000_000) || this.ackWaitMs;
    this.recovery = { suspects, deadline: started + ackWaitMs + RECOVERY_MARGIN_MS };
    this.watcher = this.watchFloor(consumer, Math.max(50, Math.min(500, Math.floor(ackWaitMs / 4))));
  }

  /** While recovering: forget suspects the ack floor has passed; give up at the deadline. */
  private async watchFloor(consumer: Consumer, everyMs: number): Promise<void> {
    while (this.recovery && !this.stopped) {
      await this.sleep(Math.min(everyMs, Math.max(0, this.recovery.deadline - Date.now())));
      if (!this.recovery || this.stopped) return;
      if (Date.now() >= this.recovery.deadline) return this.endRecovery();
      try {
        const floor = (await consumer.info()).ack_floor.stream_seq;
        for (const [subject, seqs] of this.recovery?.suspects ?? []) {
          while (seqs.length > 0 && seqs[0]! <= floor) seqs.shift();
          if (seqs.length === 0) this.clearSuspect(subject);
        }
      } catch {
        // the server is away for a moment: the deadline still ends the recovery
      }
    }
  }

  private clearSuspect(subject: string): void {
    const r = this.recovery;
    if (!r) return;
    r.suspects.delete(subject);
    this.unpark(subject);
    if (r.suspects.size === 0) this.endRecovery();
  }

  private endRecovery(): void {
    this.recovery = undefined;
    for (const subject of [...this.parked]) this.unpark(subject);
  }

  private unpark(subject: string): void {
    if (!this.parked.delete(subject) || this.stopped) return;
    if (!this.active.has(subject) && !this.waiting.includes(subject)) this.schedule(subject);
  }

  /** The message came (back) to us: it no longer holds back its subject's newer ones. */
  private arrived(subject: string, seq: number): void {
    const seqs = this.recovery?.suspects.get(subject);
    if (!seqs) return;
    const i = seqs.indexOf(seq);
    if (i < 0) return;
    seqs.splice(i, 1);
    if (seqs.length === 0) this.clearSuspect(subject);
  }

  private push(m: JsMsg): void {
    const known = this.held.get(m.seq);
    if (known) {
      known.msg = m; // the server redelivered one we hold: keep its place, newest handle
      known.localFailures = 0;
      return;
    }
    const h: Held = { msg: m, localFailures: 0 };
    this.held.set(m.seq, h);
    const q = this.queues.get(m.subject) ?? [];
    let i = q.length;
    while (i > 0 && q[i - 1]!.msg.seq > m.seq) i--; // keep seq order within a subject
    q.splice(i, 0, h);
    this.queues.set(m.subject, q);
    if (this.recovery) this.arrived(m.subject, m.seq);
    if (!this.active.has(m.subject) && !this.waiting.includes(m.subject)) this.schedule(m.subject);
  }

  private schedule(subject: string): void {
    if (this.active.size >= this.concurrency) {
      this.waiting.push(subject);
      return;
    }
    this.active.add(subject);
    const run = this.drain(subject);
    this.drains.add(run);
    const settled = () => void this.drains.delete(run);
    run.then(settled, settled);
  }

  /** Process one subject's queue in order until it is empty (or parked), then free its slot. */
  private async drain(subject: string): Promise<void> {
    const q = this.queues.get(subject);
    try {
      while (q && q.length > 0 && !this.stopped) {
        const h = q[0]!;
        if (this.recovery) {
          const older = this.recovery.suspects.get(subject);
          if (older && older[0]! < h.msg.seq) {
            this.parked.add(subject); // an older message may still come back: wait, slot freed
            return;
          }
        }
        const count = h.msg.info.deliveryCount + h.localFailures;
        const msgId = h.msg.headers?.get("Nats-Msg-Id") || undefined;
        const msg = new Delivery(this.stream, this.subjectIn(subject), h.msg.seq, msgId, count, h.msg.data);
        const outcome = await runDelivery(this.handler, msg, this.ackWaitMs);
        if (outcome.ok) {
          h.msg.ack();
          this.forget(q, h);
          continue;
        }
        const dropped = this.opts.maxDeliver !== undefined && count >= this.opts.maxDeliver;
        this.opts.onError?.(outcome.error, msg, dropped);
        if (dropped) {
          h.msg.term("maxDeliver reached");
          this.forget(q, h);
          continue;
        }
        h.localFailures++;
        await this.sleep(outcome.delayMs);
      }
      if (q && q.length === 0) this.queues.delete(subject);
    } finally {
      // In the same synchronous step as the loop's last look at the queue (no await between), so
      // a message pushed after it finds the subject idle and schedules it. Freed a microtask
      // later (a .finally on the drain's promise), a message pushed in between was queued behind
      // a loop that had already ended, and stayed there, its lease renewed, until its subject got
      // another message.
      this.active.delete(subject);
      const next = this.waiting.shift();
      if (next !== undefined && !this.stopped) this.schedule(next);
    }
  }

  private forget(q: Held[], h: Held): void {
    q.shift();
    this.held.delete(h.msg.seq);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    await this.reader; // the open pull request ends within FETCH_EXPIRES_MS
    await this.watcher;
    await Promise.all(this.drains);
    clearInterval(this.heartbeat);
    // Hand back what we held but did not finish, so the next consumer gets it at once.
    for (const h of this.held.values()) h.msg.nak();
    this.held.clear();
    this.onStop();
  }
}
