// The monolith's log: streams stored in PostgreSQL (schema `streams`), woken by LISTEN/NOTIFY
// with a slow poll as the safety net. At-least-once across process restarts and kill -9:
// a message leaves `pending` only when its handler has resolved.
import type { Database, Sql } from "../database/database.js";
import { commitWithoutWaiting } from "../database/commit-without-waiting.js";
import { listenReliably } from "../database/listener.js";
import { applyMigrations } from "../database/migrations.js";
import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_CONCURRENCY,
  Delivery,
  encodePayload,
  runDelivery,
  subjectPattern,
  uniqueConsumers,
  validateStreamName,
} from "./common.js";
import { STREAMS_SCHEMA, streamsMigrations } from "./embedded-schema.js";
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

export interface EmbeddedStreamsOptions {
  /** Safety-net poll for expired leases and missed notifications (default 1000 ms). */
  pollMs?: number;
  /**
   * Messages every consumer has acked are deleted once older than this (default 24 h); it is
   * also how long a re-published msgId is recognised. 0 disables pruning.
   */
  retainMs?: number;
}

const PRUNE_EVERY_MS = 60_000;

const CHANNEL = "dendrite_streams";
const SCAN_BATCH = 1000;

export async function createEmbeddedStreams(
  db: Pick<Database, "sql" | "url">,
  opts: EmbeddedStreamsOptions = {},
): Promise<Streams> {
  await applyMigrations(db, STREAMS_SCHEMA, streamsMigrations);
  const log = new EmbeddedLog(db.sql, db.url, opts.pollMs ?? 1000, opts.retainMs ?? 24 * 3600_000);
  await log.start();
  return log;
}

class EmbeddedLog implements Streams {
  private readonly subjectsOf = new Map<string, RegExp[]>();
  private readonly subs = new Set<EmbeddedSubscription>();
  private unlisten: (() => Promise<void>) | undefined;
  private closed = false;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly url: string,
    private readonly pollMs: number,
    private readonly retainMs: number,
  ) {}

  async start(): Promise<void> {
    const listener = await listenReliably(this.url, CHANNEL, (stream) => {
      for (const s of this.subs) if (s.stream === stream) s.kick();
    }, {
      // Publishes while it was deaf were not heard: every consumer looks now, not at its next poll.
      onRelisten: () => {
        for (const s of this.subs) s.kick();
      },
      onError: (e) => console.error("[streams] re-listening failed; trying again:", e),
      applicationName: "dendrite-ts-streams",
    });
    this.unlisten = () => listener.close();
    await this.loadStreams();
    if (this.retainMs > 0) {
      this.pruneTimer = setInterval(() => {
        this.prune().catch((e: unknown) => console.error("[streams] prune failed:", e));
      }, PRUNE_EVERY_MS);
      this.pruneTimer.unref();
    }
  }

  /** Delete old messages that no consumer still needs (below every position, not pending). */
  async prune(): Promise<number> {
    const rows = await this.sql`
      DELETE FROM streams.messages m
      WHERE m.published_at < now() - ${this.retainMs} * interval '1 millisecond'
        AND m.seq <= COALESCE((SELECT min(c.position) FROM streams.consumers c WHERE c.stream = m.stream), m.seq)
        AND NOT EXISTS (SELECT 1 FROM streams.pending p WHERE p.stream = m.stream AND p.seq = m.seq)
      RETURNING 1`;
    return rows.length;
  }

  async ensureStream(def: StreamDefinition): Promise<void> {
    validateStreamName(def.name);
    await this.sql`
      INSERT INTO streams.streams (name, subjects) VALUES (${def.name}, ${def.subjects})
      ON CONFLICT (name) DO UPDATE SET subjects = EXCLUDED.subjects`;
    this.subjectsOf.set(def.name, def.subjects.map(subjectPattern));
  }

  async ensureConsumer(stream: string, durable: string, opts: ConsumerOptions = {}): Promise<void> {
    validateStreamName(durable);
    const regex = opts.filterSubject ? subjectPattern(opts.filterSubject).source : null;
    const rows = await this.sql`
      INSERT INTO streams.consumers (stream, durable, filter_subject, filter_regex, ack_wait_ms, max_deliver)
      SELECT ${stream}, ${durable}, ${opts.filterSubject ?? null}, ${regex},
             ${opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS}, ${opts.maxDeliver ?? null}
      WHERE EXISTS (SELECT 1 FROM streams.streams WHERE name = ${stream})
      ON CONFLICT (stream, durable) DO UPDATE SET
        ack_wait_ms = EXCLUDED.ack_wait_ms, max_deliver = EXCLUDED.max_deliver
      RETURNING filter_subject`;
    if (rows.length === 0) throw new Error(`stream ${stream} does not exist`);
    if ((rows[0]?.filter_subject ?? undefined) !== opts.filterSubject) {
      throw new Error(`consumer ${stream}/${durable} exists with another filterSubject; delete it to change it`);
    }
  }

  async publish(subject: string, payload: unknown, opts: PublishOptions = {}): Promise<PublishAck> {
    const stream = await this.streamFor(subject);
    const data = Buffer.from(encodePayload(payload));
    const msgId = opts.msgId ?? null;
    // One statement, one implicit transaction: the advisory lock (taken before nextval) orders
    // commits by seq within the stream; NOTIFY is sent on commit. A message from an outbox is
    // committed without waiting for the disk (see PublishOptions.fromOutbox).
    const rows = await this.sql`
      WITH lock AS (SELECT pg_advisory_xact_lock(hashtextextended(${`dendrite-ts:streams:${stream}`}, 0))),
      ${commitWithoutWaiting(this.sql, opts.fromOutbox === true && msgId !== null)},
      ins AS (
        INSERT INTO streams.messages (stream, subject, msg_id, payload)
        SELECT ${stream}, ${subject}, ${msgId}, ${data} FROM lock, relaxed
        ON CONFLICT (stream, msg_id) DO NOTHING
        RETURNING seq
      ),
      notified AS (SELECT count(pg_notify(${CHANNEL}, ${stream})) AS n FROM ins)
      SELECT seq, false AS duplicate FROM ins, notified
      UNION ALL
      SELECT seq, true FROM streams.messages
      WHERE stream = ${stream} AND msg_id = ${msgId} AND NOT EXISTS (SELECT 1 FROM ins)`;
    let row = rows[0];
    if (!row && msgId !== null) {
      // The original committed after this statement's snapshot: read it now.
      [row] = await this.sql`SELECT seq, true AS duplicate FROM streams.messages WHERE stream = ${stream} AND msg_id = ${msgId}`;
    }
    if (!row) throw new Error(`publish to ${subject} stored nothing`);
    return { stream, seq: Number(row.seq), duplicate: row.duplicate as boolean };
  }

  async consume(
    stream: string,
    durable: string,
    handler: MessageHandler,
    opts: ConsumeOptions = {},
  ): Promise<Subscription> {
    if (this.closed) throw new Error("streams closed");
    await this.ensureConsumer(stream, durable, opts);
    const sub = new EmbeddedSubscription(this.sql, stream, durable, handler, opts, this.pollMs, () =>
      this.subs.delete(sub),
    );
    this.subs.add(sub);
    sub.kick();
    return sub;
  }

  async consumerLag(stream: string, durable: string): Promise<number> {
    // Messages past the position (not yet copied to pending) that match the filter, plus the
    // pending rows: both walk indexes from the consumer's position.
    const rows = await this.sql<{ lag: string }[]>`
      SELECT (SELECT count(*) FROM streams.messages m
              WHERE m.stream = c.stream AND m.seq > c.position
                AND (c.filter_regex IS NULL OR m.subject ~ c.filter_regex))
           + (SELECT count(*) FROM streams.pending p WHERE p.stream = c.stream AND p.durable = c.durable) AS lag
      FROM streams.consumers c WHERE c.stream = ${stream} AND c.durable = ${durable}`;
    if (!rows[0]) throw new Error(`consumer ${stream}/${durable} does not exist`);
    return Number(rows[0].lag);
  }

  activeConsumers(): Array<{ stream: string; durable: string }> {
    return uniqueConsumers([...this.subs].map((s) => ({ stream: s.stream, durable: s.durable })));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pruneTimer);
    await Promise.all([...this.subs].map((s) => s.stop()));
    await this.unlisten?.().catch(() => {});
  }

  private async streamFor(subject: string): Promise<string> {
    const find = () => [...this.subjectsOf].find(([, res]) => res.some((re) => re.test(subject)))?.[0];
    const found = find() ?? ((await this.loadStreams()), find());
    if (!found) throw new Error(`no stream holds subject ${subject}`);
    return found;
  }

  private async loadStreams(): Promise<void> {
    const rows = await this.sql<{ name: string; subjects: string[] }[]>`SELECT name, subjects FROM streams.streams`;
    for (const r of rows) this.subjectsOf.set(r.name, r.subjects.map(subjectPattern));
  }
}

interface ClaimedRow {
  seq: string;
  subject: string;
  deliveries: number;
  msg_id: string | null;
  payload: Buffer;
}

class EmbeddedSubscription implements Subscription {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly poll: NodeJS.Timeout;
  private loop: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly ackWaitMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly sql: Sql,
    readonly stream: string,
    readonly durable: string,
    private readonly handler: MessageHandler,
    private readonly opts: ConsumeOptions,
    pollMs: number,
    private readonly onStop: () => void,
  ) {
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.poll = setInterval(() => this.kick(), pollMs);
  }

  /** Look for deliverable messages now (coalesced: at most one fetch loop at a time). */
  kick(): void {
    if (this.stopped) return;
    this.again = true;
    this.loop ??= this.fetchLoop().finally(() => {
      this.loop = undefined;
      if (this.again) this.kick(); // a kick that landed while the loop was returning
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    for (const t of this.timers) clearTimeout(t);
    await this.loop;
    await Promise.all(this.inFlight);
    this.onStop();
  }

  private async fetchLoop(): Promise<void> {
    while (this.again && !this.stopped) {
      this.again = false;
      const room = this.concurrency - this.inFlight.size;
      if (room <= 0) continue; // a finishing delivery kicks again
      let rows: ClaimedRow[];
      try {
        rows = await this.claim(room);
      } catch (error) {
        if (this.stopped) return;
        this.later(1000); // the database is away: try again shortly
        this.report(error);
        return;
      }
      for (const row of rows) this.track(this.deliver(row));
      if (rows.length === room) this.again = true;
    }
  }

  /**
   * Copy new messages into pending, then lease the deliverable head of each subject: three
   * statements written at once on one connection (one round trip — this runs on every wake-up
   * of every consumer). Each is safe alone:
   *  - the copy locks the consumer row for its statement, so two claimers never copy the same
   *    range, and moves the position in the same statement;
   *  - the lease re-checks `visible_at` on every row it updates, so a row another claimer
   *    leased meanwhile is skipped, never delivered twice; only the lowest pending seq of a
   *    subject is a candidate (per-subject order).
   * They (and the acknowledging delete) commit without waiting for the disk: one lost in a
   * database crash only means a message is delivered again (at-least-once), and a handler's own
   * durable commit writes them to disk before it anyway (the log is written in order).
   */
  private async claim(limit: number): Promise<ClaimedRow[]> {
    const { stream, durable } = this;
    const conn = await this.sql.reserve();
    try {
      const [copied, , leased] = await Promise.all([
        conn<{ found: number }[]>`
          WITH ${commitWithoutWaiting(conn)},
          c AS (
            SELECT position, filter_regex FROM streams.consumers, relaxed
            WHERE stream = ${stream} AND durable = ${durable} FOR UPDATE OF consumers
          ), batch AS (
            -- Scalar subqueries, not joins: the planner then walks (stream, seq) from the position.
            SELECT m.seq, m.subject FROM streams.messages m
            WHERE m.stream = ${stream} AND m.seq > (SELECT position FROM c)
            ORDER BY m.seq LIMIT ${SCAN_BATCH}
          ), ins AS (
            INSERT INTO streams.pending (stream, durable, seq, subject)
            SELECT ${stream}, ${durable}, b.seq, b.subject FROM batch b
            WHERE (SELECT filter_regex FROM c) IS NULL OR b.subject ~ (SELECT filter_regex FROM c)
            RETURNING 1
          ), moved AS (
            UPDATE streams.consumers SET position = (SELECT max(seq) FROM batch)
            WHERE stream = ${stream} AND durable = ${durable} AND EXISTS (SELECT 1 FROM batch)
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM c)::int AS found, (SELECT count(*) FROM ins)::int AS copied, (SELECT count(*) FROM moved)::int AS moved`,
        // Final attempts whose process died mid-handler: their lease ran out; drop them.
        this.opts.maxDeliver === undefined
          ? Promise.resolve()
          : conn`
              DELETE FROM streams.pending
              WHERE stream = ${stream} AND durable = ${durable} AND deliveries >= ${this.opts.maxDeliver} AND visible_at <= now()`,
        conn<ClaimedRow[]>`
          WITH RECURSIVE subjects AS (
            -- A skip scan over (stream, durable, subject, seq): one index probe per subject
            -- with pending messages, however many are pending behind each head.
            (SELECT subject FROM streams.pending WHERE stream = ${stream} AND durable = ${durable} ORDER BY subject LIMIT 1)
            UNION ALL
            SELECT (SELECT p.subject FROM streams.pending p
                    WHERE p.stream = ${stream} AND p.durable = ${durable} AND p.subject > s.subject ORDER BY p.subject LIMIT 1)
            FROM subjects s WHERE s.subject IS NOT NULL
          ), heads AS (
            SELECT h.seq, h.visible_at FROM subjects s, LATERAL (
              SELECT seq, visible_at FROM streams.pending p
              WHERE p.stream = ${stream} AND p.durable = ${durable} AND p.subject = s.subject ORDER BY p.seq LIMIT 1) h
            WHERE s.subject IS NOT NULL
          ), ready AS (
            SELECT seq FROM heads WHERE visible_at <= now() ORDER BY seq LIMIT ${limit}
          ), ${commitWithoutWaiting(conn)}
          UPDATE streams.pending p
          SET deliveries = p.deliveries + 1, visible_at = clock_timestamp() + ${this.ackWaitMs} * interval '1 millisecond'
          FROM ready r, streams.messages m, relaxed
          WHERE p.stream = ${stream} AND p.durable = ${durable} AND p.seq = r.seq AND m.seq = r.seq AND p.visible_at <= now()
          RETURNING p.seq, p.subject, p.deliveries, m.msg_id, m.payload`,
      ]);
      if (copied[0]?.found !== 1) throw new Error(`consumer ${stream}/${durable} does not exist`);
      return leased;
    } finally {
      conn.release();
    }
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const { stream, durable } = this;
    const seq = Number(row.seq);
    const msg = new Delivery(stream, row.subject, seq, row.msg_id ?? undefined, row.deliveries, row.payload);
    const outcome = await runDelivery(this.handler, msg, this.ackWaitMs);
    try {
      if (outcome.ok) {
        await this.sql`
          WITH ${commitWithoutWaiting(this.sql)}
          DELETE FROM streams.pending WHERE stream = ${stream} AND durable = ${durable} AND seq = ${seq} AND EXISTS (SELECT 1 FROM relaxed)`;
        return;
      }
      const max = this.opts.maxDeliver;
      const dropped = max !== undefined && row.deliveries >= max;
      this.opts.onError?.(outcome.error, msg, dropped);
      if (dropped) {
        await this.sql`DELETE FROM streams.pending WHERE stream = ${stream} AND durable = ${durable} AND seq = ${seq}`;
        return;
      }
      await this.sql`
        UPDATE streams.pending SET visible_at = clock_timestamp() + ${outcome.delayMs} * interval '1 millisecond'
        WHERE stream = ${stream} AND durable = ${durable} AND seq = ${seq}`;
      this.later(outcome.delayMs);
    } catch (error) {
      // Could not settle: the lease runs out and the message comes again (at-least-once).
      this.report(error);
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p.finally(() => {
      this.inFlight.delete(tracked);
      this.kick();
    });
    this.inFlight.add(tracked);
  }

  private later(ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.kick();
    }, ms);
    this.timers.add(t);
  }

  private report(error: unknown): void {
    console.error(`[streams] ${this.stream}/${this.durable}:`, error);
  }
}
