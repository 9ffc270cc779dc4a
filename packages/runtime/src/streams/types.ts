// The log streams of DESIGN.md §3 behind one interface: JetStream in polylith, a durable log in
// PostgreSQL in the monolith. Same semantics, so components never know which one they have.

/** A stream: a named, durable log of the messages published on its subjects. */
export interface StreamDefinition {
  /** e.g. "InputRoomEvent"; letters, digits, `_` and `-`. */
  name: string;
  /** NATS-style subjects: `*` matches one token, `>` the rest (e.g. "InputRoomEvent.>"). */
  subjects: string[];
  /**
   * How long a re-published msgId is recognised as a duplicate (JetStream's duplicate window,
   * default 2 minutes). The embedded log recognises it as long as it keeps the message.
   */
  duplicateWindowMs?: number;
}

export interface PublishOptions {
  /** Idempotency key: publishing the same msgId to a stream again stores nothing new. */
  msgId?: string;
  /**
   * The caller keeps its own durable copy (an outbox row, with this msgId) until the publish is
   * acknowledged, and publishes it again after a crash. The embedded log may then acknowledge
   * before its write reached the disk: a database crash can only lose a message whose outbox
   * row it also brings back (the row's delete comes later in the same log). JetStream ignores it.
   */
  fromOutbox?: boolean;
}

export interface PublishAck {
  stream: string;
  /** Sequence of the stored message in its stream (of the original when a duplicate). */
  seq: number;
  duplicate: boolean;
}

export interface ConsumerOptions {
  /** Only messages on subjects matching this pattern (one pattern: nats-server 2.9 has no more). */
  filterSubject?: string;
  /** A handler that has not settled after this long is taken as failed; redelivered (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before a message is dropped (default unlimited: a failing message blocks its subject). */
  maxDeliver?: number;
}

export interface ConsumeOptions extends ConsumerOptions {
  /** Subjects processed at once (default 64); one message at a time within a subject. */
  concurrency?: number;
  /** Called when a delivery fails or a message is dropped after maxDeliver (for logs/metrics). */
  onError?: (error: unknown, msg: StreamMessage, dropped: boolean) => void;
}

export interface StreamMessage {
  readonly stream: string;
  readonly subject: string;
  readonly seq: number;
  readonly msgId: string | undefined;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  readonly data: Uint8Array;
  /** The payload parsed as JSON (what publish() wrote for a non-Uint8Array payload). */
  json<T = unknown>(): T;
  /** Settle negatively when the handler returns: redeliver after delayMs (default 0). */
  nak(delayMs?: number): void;
}

/**
 * Resolve to ack, throw (or call msg.nak) to have the message redelivered. Within one subject
 * messages arrive in publish order, each only after the one before it was acked (or dropped);
 * subjects run in parallel. Delivery is at-least-once: handlers must be idempotent.
 */
export type MessageHandler = (msg: StreamMessage) => Promise<void> | void;

export interface Subscription {
  /** Stop receiving; waits for handlers in flight (each bounded by ackWaitMs). */
  stop(): Promise<void>;
}

export interface Streams {
  /** Create the stream, or update its subjects. */
  ensureStream(def: StreamDefinition): Promise<void>;
  /**
   * Create a durable consumer that starts at the beginning of the stream. Call it before
   * producers publish; it survives restarts, so a consumer resumes where it stopped.
   */
  ensureConsumer(stream: string, durableName: string, opts?: ConsumerOptions): Promise<void>;
  /** Store a payload (JSON-serialisable value or raw bytes) on the stream owning `subject`. */
  publish(subject: string, payload: unknown, opts?: PublishOptions): Promise<PublishAck>;
  /** Receive messages of a durable consumer (created or updated with `opts` first). */
  consume(stream: string, durableName: string, handler: MessageHandler, opts?: ConsumeOptions): Promise<Subscription>;
  /**
   * How many messages of the stream the durable consumer has not acknowledged yet: those not
   * delivered to it (matching its filter) plus those delivered and not yet acked. Throws when
   * the consumer does not exist. For metrics: one cheap query, not a consistent snapshot.
   */
  consumerLag(stream: string, durableName: string): Promise<number>;
  /** The durable consumers this instance has live subscriptions for (each once). */
  activeConsumers(): Array<{ stream: string; durable: string }>;
  /** Stop every subscription and release connections (not the database of the embedded log). */
  close(): Promise<void>;
}
