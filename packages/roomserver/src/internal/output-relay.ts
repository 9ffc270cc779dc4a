/**
 * Moves OutputRoomEvent rows from the outbox to the stream. Each row is published with
 * msgId = its outbox ID and deleted only after the stream acknowledged it, so a crash between
 * the two re-publishes a message the stream recognises as a duplicate: nothing lost, nothing
 * doubled. Rows go out oldest first; a room's rows were committed in order (its queue), so
 * per-room order holds. An advisory lock lets one process's relay run at a time.
 */
import type { Logger, Streams } from "@dendrite-ts/runtime";
import { outputSubject } from "../output";
import type { RoomserverStore } from "../storage";

const BATCH = 200;
const POLL_MS = 1000;

export interface OutputRelay {
  /** Something was committed: publish soon. */
  kick(): void;
  /** Publishes everything pending now. */
  flush(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function outputMsgId(outboxId: number): string {
  return `roomserver-output-${outboxId}`;
}

export function createOutputRelay(store: RoomserverStore, streams: Streams, logger: Logger): OutputRelay {
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** One batch under the relay lock; false when there is nothing (or another relay is at it). */
  async function drainBatch(): Promise<boolean> {
    return store.transaction(async (tx) => {
      if (!(await tx.tryOutboxLock())) return false;
      const rows = await tx.pendingOutbox(0, BATCH);
      for (const row of rows) {
        await streams.publish(outputSubject(row.roomId), row.payload, { msgId: outputMsgId(row.outboxId) });
      }
      await tx.deleteOutbox(rows.map((r) => r.outboxId));
      return rows.length === BATCH;
    });
  }

  async function drain(): Promise<void> {
    while (await drainBatch()) {
      // full batches: keep going
    }
  }

  function flush(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await drain();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function kick(): void {
    if (stopped) return;
    flush().catch((err: unknown) => logger.warn({ err }, "output relay failed; will retry"));
  }

  return {
    kick,
    flush,
    start() {
      stopped = false;
      // A poll picks up rows a crashed process left and retries after a failed publish.
      timer = setInterval(kick, POLL_MS);
      timer.unref();
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
