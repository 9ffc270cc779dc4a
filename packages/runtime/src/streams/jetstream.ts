// Streams on NATS JetStream (polylith): durable pull consumers, Nats-Msg-Id de-duplication.
// JetStream delivers a consumer's messages in stream order but redelivers a failed one after
// its successors; to keep per-subject order we retry a failed message here, in front of its
// subject's queue, and hold the server's ack timer with working() meanwhile. The server's own
// redelivery covers a process that dies.
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Consumer, ConsumerConfig, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { DEFAULT_ACK_WAIT_MS, DEFAULT_CONCURRENCY, Delivery, encodePayload, runDelivery, validateStreamName } from "./common.js";
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
const ms2ns = (ms: number) => ms * 1_000_000;

export async function createJetStreamStreams(opts: JetStreamStreamsOptions): Promise<Streams> {
  if (opts.prefix !== undefined) validateStreamName(opts.prefix);
  const nc = await connect({ servers: opts.servers, name: opts.name ?? "dendrite-ts", maxReconnectAttempts: -1 });
  return new JetStreamLog(nc, await jetstreamManager(nc), jetstream(nc), opts.prefix);
}

class JetStreamLog implements Streams {
  private readonly subs = new Set<JetStreamSubscription>();
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly prefix: string | undefined,
  ) {}

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
    const ack = await this.js.publish(
      this.subjectOut(subject),
      encodePayload(payload),
      opts.msgId !== undefined ? { msgID: opts.msgId } : undefined,
    );
    return { stream: this.streamIn(ack.stream), seq: ack.seq, duplicate: ack.duplicate };
  }

  async consume(stream: string, durable: string, handler: MessageHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new Error("streams closed");
    await this.ensureConsumer(stream, durable, opts);
    const consumer = await this.js.consumers.get(this.streamName(stream), durable);
    const sub = new JetStreamSubscription(stream, consumer, handler, opts, this.subjectIn, () => this.subs.delete(sub));
    this.subs.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.stop()));
    await this.nc.drain();
  }
}

function isApiError(e: unknown, code: number): boolean {
  return e instanceof JetStreamApiError && e.code === code;
}

interface Held {
  msg: JsMsg;
  /** Failed attempts made here since the server last delivered it. */
  localFailures: number;
}

class JetStreamSubscription implements Subscription {
  private readonly queues = new Map<string, Held[]>();
  private readonly held = new Map<number, Held>();
  private readonly waiting: string[] = []; // subjects with work, beyond the concurrency limit
  private readonly running = new Map<string, Promise<void>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly reader: Promise<void>;
  private readonly ackWaitMs: number;
  private readonly concurrency: number;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly stream: string,
    consumer: Consumer,
    private readonly handler: MessageHandler,
    private readonly opts: ConsumeOptions,
    private readonly subjectIn: (s: string) => string,
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
    while (!this.stopped) {
      if (this.held.size >= 4 * FETCH_BATCH) {
        await this.sleep(20); // back-pressure: let handlers catch up
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: FETCH_BATCH, expires: FETCH_EXPIRES_MS });
        for await (const m of batch) this.push(m);
      } catch (e) {
        if (this.stopped) return;
        console.error(`[streams] ${this.stream}: fetch failed, retrying:`, e);
        await this.sleep(1000);
      }
    }
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
    if (!this.running.has(m.subject) && !this.waiting.includes(m.subject)) this.schedule(m.subject);
  }

  private schedule(subject: string): void {
    if (this.running.size >= this.concurrency) {
      this.waiting.push(subject);
      return;
    }
    const run = this.drain(subject).finally(() => {
      this.running.delete(subject);
      const next = this.waiting.shift();
      if (next !== undefined && !this.stopped) this.schedule(next);
    });
    this.running.set(subject, run);
  }

  /** Process one subject's queue in order until it is empty. */
  private async drain(subject: string): Promise<void> {
    const q = this.queues.get(subject);
    while (q && q.length > 0 && !this.stopped) {
      const h = q[0]!;
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
    await Promise.all(this.running.values());
    clearInterval(this.heartbeat);
    // Hand back what we held but did not finish, so the next consumer gets it at once.
    for (const h of this.held.values()) h.msg.nak();
    this.held.clear();
    this.onStop();
  }
}
