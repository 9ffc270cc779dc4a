/**
 * The transactional outbox's way out (DESIGN.md, streams: a producer that writes its database
 * and publishes must not lose or invent messages on kill -9): a component writes a change and
 * its message in one transaction, then this publishes what the outbox table holds, in order,
 * and deletes it. If the process dies before publishing, the next flush (on start or on the next
 * change) sends it with the same msgId, and the stream drops duplicates. The table and its
 * queries are the component's; the drain is the same for every one.
 */
export type OutboxPublishFn = (subject: string, msgId: string, payload: unknown) => Promise<void>;

/** What a drain needs of the component's outbox table, inside one of its transactions. */
export interface OutboxDrainQueries {
  /** Takes the drain lock for the transaction; false when another process holds it. */
  tryLockDrain(): Promise<boolean>;
  selectPending(limit: number): Promise<Array<{ subject: string; msgId: string; payload: unknown }>>;
  deleteMany(msgIds: readonly string[]): Promise<void>;
}

export interface OutboxPublisher {
  /** Publishes everything pending; resolves when done (failures are retried later). */
  flush(): Promise<void>;
  /** Stops retrying and waits for a drain in progress. */
  close(): Promise<void>;
}

export interface OutboxPublisherOptions {
  /** Runs `fn` in one of the component's transactions, with its outbox queries. */
  transaction<T>(fn: (outbox: OutboxDrainQueries) => Promise<T>): Promise<T>;
  publish: OutboxPublishFn;
  log: { warn(obj: object, msg: string): void };
  /** The component, for the log. */
  name: string;
}

const BATCH = 100;
/** Another process holds the drain lock: not a failure, just a reason to look again. */
const BUSY = new Error("outbox drain lock held by another process");
const RETRY_MS = 1000;

export function createOutboxPublisher(opts: OutboxPublisherOptions): OutboxPublisher {
  let chain: Promise<void> = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  /** One batch under the drain lock; "busy" when another process is draining. */
  function drainBatch(): Promise<"more" | "done" | "busy"> {
    return opts.transaction(async (outbox) => {
      if (!(await outbox.tryLockDrain())) return "busy";
      const rows = await outbox.selectPending(BATCH);
      // Deleted together once all are published: a crash in between republishes the same
      // msgIds, which the stream drops.
      for (const row of rows) await opts.publish(row.subject, row.msgId, row.payload);
      await outbox.deleteMany(rows.map((r) => r.msgId));
      return rows.length < BATCH ? "done" : "more";
    });
  }

  async function drain(): Promise<void> {
    for (;;) {
      const r = await drainBatch();
      if (r === "done") return;
      // The other drainer may have read the outbox before our row committed: look again soon.
      if (r === "busy") throw BUSY;
    }
  }

  function flush(): Promise<void> {
    // One drain at a time keeps messages in outbox order.
    chain = chain.then(drain).catch((err: unknown) => {
      if (err !== BUSY) opts.log.warn({ err }, `${opts.name}: publishing from the outbox failed; will retry`);
      if (!closed && !retry) {
        retry = setTimeout(() => {
          retry = undefined;
          if (!closed) void flush();
        }, RETRY_MS);
        retry.unref();
      }
    });
    return chain;
  }

  return {
    flush,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await chain;
    },
  };
}
