/**
 * Moves OutputRoomEvent rows from the outbox to the stream. Rows are written in the same
 * transaction as the change they describe; each is published with msgId = its outbox ID and
 * deleted only after the stream acknowledged it, so a crash between the two re-publishes a
 * message the stream recognises as a duplicate: nothing lost, nothing doubled.
 *
 * Two ways out, one at a time (a single loop), oldest first:
 *  - rows this process just committed are handed over in memory (`committed`) and published
 *    at once (rooms side by side, each room's rows one after another) — no read of the outbox on
 *    the hot path; their deletes are batched behind;
 *  - a drain reads the outbox under an advisory lock (one relay per database at a time): at
 *    start (rows a previous process left), on `flush`, and after a failed publish. Until such a
 *    drain finds the outbox empty, committed rows wait for it, so a room's outputs never
 *    overtake ones stuck in the table.
 * A room's rows are committed in order (its queue), and both ways publish in commit order, so
 * per-room order holds; a row published by both ways is dropped by the stream as a duplicate.
 */
import type { Logger, Streams } from "@dendrite-ts/runtime";
import { outputSubject } from "../output";
import type { OutboxRow, RoomserverStore } from "../storage";

const BATCH = 200;
const utf8 = new TextEncoder();
/**
 * Published rows are deleted this long after their publish, many per statement: a delete only
 * saves a re-publish (a duplicate the stream drops) after a crash, so it need not be prompt.
 */
const DELETE_DELAY_MS = 50;
const DELETE_MAX = 1000;
/** How often to retry a drain after a failed publish. */
const RETRY_MS = 1000;

export interface OutputRelay {
  /** Rows this process just committed: publish them now. */
  committed(rows: readonly OutboxRow[]): void;
  /** Publishes everything pending now: handed-over rows, then the outbox table. */
  flush(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function outputMsgId(outboxId: number): string {
  return `roomserver-output-${outboxId}`;
}

export function createOutputRelay(store: RoomserverStore, streams: Streams, logger: Logger): OutputRelay {
  const queue: OutboxRow[] = [];
  /** A publish failed: the table is the source until a drain empties it. */
  let degraded = false;
  let drainWanted = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // A row's JSON, when its committer kept it, goes out as is rather than encoded a second time.
  const publish = (row: OutboxRow) =>
    streams.publish(outputSubject(row.roomId), row.json === undefined ? row.payload : utf8.encode(row.json), { msgId: outputMsgId(row.outboxId), fromOutbox: true });

  // Deletes trail the publishes, batched, one statement at a time. A failed one (the database
  // restarting) is tried again later: rows left in the table would be published again at the
  // next drain (a restart), as duplicates consumers must skip.
  const toDelete: number[] = [];
  let deleting: Promise<void> | undefined;
  let deleteTimer: NodeJS.Timeout | undefined;
  async function deleteBatches(): Promise<void> {
    while (toDelete.length > 0) {
      const batch = toDelete.splice(0, DELETE_MAX);
      try {
        await store.deletePublishedOutbox(batch);
      } catch (err) {
        toDelete.unshift(...batch);
        logger.warn({ err, rows: toDelete.length }, "deleting published outbox rows failed; trying again");
        if (!stopped) (deleteTimer ??= setTimeout(deleteNow, RETRY_MS)).unref();
        return;
      }
    }
  }
  function deleteNow(): Promise<void> {
    if (deleteTimer) clearTimeout(deleteTimer);
    deleteTimer = undefined;
    // Cleared by `finally`, which always runs after this assignment: an async function with
    // nothing to await settles at once, and clearing inside it would run before the assignment
    // and leave a settled promise here for good (deletes then never ran again).
    if (!deleting && toDelete.length > 0) deleting = deleteBatches().finally(() => (deleting = undefined));
    return deleting ?? Promise.resolve();
  }
  function scheduleDelete(id: number): void {
    toDelete.push(id);
    if (toDelete.length >= DELETE_MAX) void deleteNow();
    else deleteTimer ??= setTimeout(deleteNow, DELETE_DELAY_MS);
  }

  /**
   * Publishes the handed-over rows: rooms side by side, a room's rows one at a time in order, so
   * one slow acknowledgement holds up only its room. A failed publish leaves its room's rows (and
   * every later one) in the table for the drain.
   */
  async function publishQueued(): Promise<void> {
    while (queue.length > 0 && !degraded) {
      const byRoom = new Map<string, OutboxRow[]>();
      for (const row of queue.splice(0)) {
        const rows = byRoom.get(row.roomId);
        if (rows) rows.push(row);
        else byRoom.set(row.roomId, [row]);
      }
      const failures: unknown[] = [];
      await Promise.all(
        [...byRoom.values()].map(async (rows) => {
          for (const row of rows) {
            if (degraded) return;
            try {
              await publish(row);
            } catch (err) {
              // The rows stay in the table: the drain publishes them, in order, once the stream is back.
              degraded = true;
              failures.push(err);
              return;
            }
            scheduleDelete(row.outboxId);
          }
        }),
      );
      if (degraded) {
        queue.length = 0;
        throw failures[0];
      }
    }
  }

  /** One batch of the table under the relay lock; true when there may be more. */
  async function drainBatch(): Promise<boolean> {
    return store.transaction(async (tx) => {
      if (!(await tx.tryOutboxLock())) return false;
      const rows = await tx.pendingOutbox(0, BATCH);
      for (const row of rows) await publish(row);
      await tx.deleteOutbox(rows.map((r) => r.outboxId));
      if (rows.length === 0) degraded = false;
      return rows.length === BATCH;
    });
  }

  async function drain(): Promise<void> {
    // Handed-over rows are in the table too: the drain covers them.
    queue.length = 0;
    while (await drainBatch()) {
      // full batches: keep going
    }
  }

  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          if (drainWanted || degraded) {
            drainWanted = false;
            await drain();
          } else {
            await publishQueued();
          }
        } while (again || (queue.length > 0 && !degraded));
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const kick = () => {
    if (stopped) return;
    run().catch((err: unknown) => logger.warn({ err }, "output relay failed; will retry"));
  };

  return {
    committed(rows) {
      if (rows.length === 0) return;
      if (!degraded) queue.push(...rows);
      kick();
    },
    async flush() {
      drainWanted = true;
      await run();
      // `run` may have been mid-publish when asked: make sure a drain ran after the call.
      if (drainWanted) await run();
      await deleteNow();
    },
    start() {
      stopped = false;
      timer = setInterval(() => {
        if (degraded) kick();
      }, RETRY_MS);
      timer.unref();
      drainWanted = true;
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      await deleteNow();
    },
  };
}
