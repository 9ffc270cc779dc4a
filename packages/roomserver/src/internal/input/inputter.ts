/**
 * The two ways events come in, one path: a synchronous call (the caller waits for the verdict)
 * and the `InputRoomEvent.<room>` stream (async callers and other components). Both run the
 * event through its room's queue, so a room sees one event at a time in arrival order.
 */
import { computeRoomIdFromCreateEvent, isMatrixError, MatrixError } from "@dendrite-ts/protocol";
import { KeyedQueues, type Streams, type Subscription } from "@dendrite-ts/runtime";
import { inputRoomEventSchema, type InputResult, type InputRoomEvent } from "../../api";
import { INPUT_ROOM_EVENT_STREAM, inputSubject } from "../../output";
import type { RoomserverContext } from "../context";
import { RoomMovedError } from "./commit";
import { processInputEvent, type ProcessOptions } from "./process";

export const INPUT_CONSUMER = "roomserver";

/** The room an input belongs to (a v12 create event's room ID is its hash). */
export function inputRoomId(input: InputRoomEvent): string {
  const roomId = input.event.room_id;
  if (typeof roomId === "string") return roomId;
  try {
    return computeRoomIdFromCreateEvent(input.event);
  } catch {
    throw new MatrixError("M_BAD_JSON", "event has no room_id");
  }
}

export interface Inputter {
  /**
   * Processes every event in order and waits. If any was rejected the call fails with
   * M_FORBIDDEN naming the first one's rule (extras: rule, event_id, and every result).
   */
  inputSync(events: readonly InputRoomEvent[]): Promise<InputResult[]>;
  /**
   * Builds an event inside its room's queue, so its prev_events are the room's latest events
   * when it is processed, then processes it like inputSync.
   */
  buildAndInput(roomId: string, build: () => Promise<InputRoomEvent>): Promise<InputResult>;
  /** Runs `task` in the room's queue: nothing else touches the room meanwhile (purge). */
  exclusive<T>(roomId: string, task: () => Promise<T>): Promise<T>;
  /** Publishes the events to the input stream and returns once they are stored there. */
  inputAsync(events: readonly InputRoomEvent[]): Promise<void>;
  /** Starts consuming the input stream. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createInputter(ctx: RoomserverContext, streams: Streams): Inputter {
  const queues = new KeyedQueues();
  let subscription: Subscription | undefined;

  // The queue keeps one event per room in flight here; RoomMovedError means someone else moved it.
  async function process(input: InputRoomEvent, opts: ProcessOptions = {}): Promise<InputResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await processInputEvent(ctx, input, opts);
      } catch (e) {
        if (!(e instanceof RoomMovedError) || attempt >= 20) throw e;
        ctx.logger.warn({ err: e, attempt }, "room moved under an input event; retrying");
        // Jitter, so two processes racing on one room stop colliding.
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  const run = (input: InputRoomEvent): Promise<InputResult> => queues.run(inputRoomId(input), () => process(input));

  return {
    async inputSync(events) {
      const results: InputResult[] = [];
      for (const input of events) results.push(await run(input));
      const rejected = results.find((r) => r.status === "rejected");
      if (rejected) forbidIfRejected(rejected, results);
      return results;
    },

    exclusive(roomId, task) {
      return queues.run(roomId, task);
    },

    buildAndInput(roomId, build) {
      return queues.run(roomId, async () => {
        for (let attempt = 1; ; attempt++) {
          const built = await build();
          try {
            // Built just now and signed by us: its event ID is new, nothing can refer to it yet.
            return forbidIfRejected(await processInputEvent(ctx, built, { fresh: true }));
          } catch (e) {
            // Someone else moved the room: build again on its new tips rather than fork it.
            if (!(e instanceof RoomMovedError) || attempt >= 20) throw e;
            ctx.logger.warn({ err: e, attempt }, "room moved while building an event; building again");
          }
        }
      });
    },

    async inputAsync(events) {
      for (const input of events) {
        await streams.publish(inputSubject(inputRoomId(input)), input);
      }
    },

    async start() {
      subscription = await streams.consume(INPUT_ROOM_EVENT_STREAM, INPUT_CONSUMER, async (msg) => {
        const parsed = inputRoomEventSchema.safeParse(msg.json());
        if (!parsed.success) {
          ctx.logger.warn({ subject: msg.subject, issues: parsed.error.issues.slice(0, 3) }, "dropped malformed input message");
          return;
        }
        const input = parsed.data;
        try {
          await run(input);
        } catch (e) {
          // Bad input stays bad: log it and move on rather than block the room forever.
          if (isMatrixError(e)) ctx.logger.warn({ err: e, subject: msg.subject }, "dropped input event");
          else throw e;
        }
      });
    },

    async stop() {
      await subscription?.stop();
      await queues.drain();
    },
  };
}

function forbidIfRejected(result: InputResult, all: readonly InputResult[] = [result]): InputResult {
  if (result.status === "rejected") {
    throw new MatrixError("M_FORBIDDEN", result.reason ?? `event ${result.eventId} was rejected`, {
      rule: result.rule,
      event_id: result.eventId,
      results: all,
    });
  }
  return result;
}
