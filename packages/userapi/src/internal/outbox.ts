// Publishes what the outbox table holds, in order, then deletes it. A change and its message
// are written in one transaction; if the process dies before publishing, the next flush (on
// start or on the next change) sends it with the same msgId, and the stream drops duplicates.
import type { UserapiStore } from "../storage";

export type PublishFn = (subject: string, msgId: string, payload: unknown) => Promise<void>;

export interface OutboxPublisher {
  /** Publishes everything pending; resolves when done (failures are retried later). */
  flush(): Promise<void>;
  /** Stops retrying and waits for a drain in progress. */
  close(): Promise<void>;
}

interface Log {
  warn(obj: object, msg: string): void;
}

const BATCH = 100;
/** Another process holds the drain lock: not a failure, just a reason to look again. */
const BUSY = new Error("outbox drain lock held by another process");
const RETRY_MS = 1000;

export function createOutboxPublisher(store: UserapiStore, publish: PublishFn, log: Log): OutboxPublisher {
  let chain: Promise<void> = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  /** One batch under the drain lock; "busy" when another process is draining. */
  function drainBatch(): Promise<"more" | "done" | "busy"> {
    return store.transaction(async (tx) => {
      if (!(await tx.outbox.tryLockDrain())) return "busy";
      const rows = await tx.outbox.selectPending(BATCH);
      // Deleted together once all are published: a crash in between republishes the same
      // msgIds, which the stream drops.
      for (const row of rows) await publish(row.subject, row.msgId, row.payload);
      await tx.outbox.deleteMany(rows.map((r) => r.msgId));
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
      if (err !== BUSY) log.warn({ err }, "userapi: publishing from the outbox failed; will retry");
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
