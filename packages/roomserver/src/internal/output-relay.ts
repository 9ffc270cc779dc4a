/**
 * Moves OutputRoomEvent rows from the outbox to the stream. Each row is published with
 * msgId = its outbox ID and deleted only after the stream acknowledged it, so a crash between
 * the two re-publishes a message the stream recognises as a duplicate: nothing lost, nothing
 * doubled. Rows go out oldest first; a room's rows were committed in order (its queue), so
 * per-room order holds.
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

  async function drain(): Promise<void> {
    for (;;) {
      const rows = await store.pendingOutbox(0, BATCH);
      if (rows.length === 0) return;
      for (const row of rows) {
        await streams.publish(outputSubject(row.roomId), row.payload, { msgId: outputMsgId(row.outboxId) });
      }
      await store.deleteOutbox(rows.map((r) => r.outboxId));
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
