/**
 * userapi's durable consumers, for notifications: OutputRoomEvent (new timeline events are
 * evaluated against the members' push rules) and OutputReceiptEvent (read receipts clear them).
 * Rooms run in parallel, one message at a time within a room; what cannot be processed ever (a
 * malformed message) is logged and skipped, anything else is retried.
 */
import { OUTPUT_RECEIPT_EVENT, outputReceiptEventSchema, outputReceiptEventStream } from "@dendrite-ts/eduserver";
import { OUTPUT_ROOM_EVENT_STREAM, outputRoomEventStream, type NewRoomEventOutput } from "@dendrite-ts/roomserver";
import type { StreamMessage, Streams, Subscription } from "@dendrite-ts/runtime";
import { processNewRoomEvent, processReceipt, type NotificationDeps } from "../internal/notifications/process";

export const ROOM_EVENT_CONSUMER = "userapi-room-events";
export const RECEIPT_CONSUMER = "userapi-receipts";

export type ConsumerStreams = Pick<Streams, "ensureStream" | "ensureConsumer" | "consume">;

interface Log {
  warn(obj: object, msg: string): void;
}

function parse(m: StreamMessage): unknown {
  try {
    return m.json();
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The new_room_event messages; other kinds say nothing about notifications (undefined). */
function newRoomEvent(v: unknown): NewRoomEventOutput | "malformed" | undefined {
  if (!isRecord(v)) return "malformed";
  if (v.kind !== "new_room_event") return undefined;
  const ok = typeof v.roomId === "string" && typeof v.eventId === "string" && typeof v.roomVersion === "string" && isRecord(v.event);
  return ok ? (v as unknown as NewRoomEventOutput) : "malformed";
}

/** Creates the streams and durable consumers if missing, then consumes. */
export async function startNotificationConsumers(streams: ConsumerStreams, deps: NotificationDeps, log: Log): Promise<Subscription[]> {
  await streams.ensureStream(outputRoomEventStream);
  await streams.ensureStream(outputReceiptEventStream);
  await streams.ensureConsumer(OUTPUT_ROOM_EVENT_STREAM, ROOM_EVENT_CONSUMER);
  await streams.ensureConsumer(OUTPUT_RECEIPT_EVENT, RECEIPT_CONSUMER);
  const skip = (stream: string, seq: number) => log.warn({ stream, seq }, "userapi skipped a malformed message");
  const onError = (stream: string) => (err: unknown, msg: { seq: number }, dropped: boolean) =>
    log.warn({ err, stream, seq: msg.seq, dropped }, "userapi notification consumer failed; will retry");
  return Promise.all([
    streams.consume(OUTPUT_ROOM_EVENT_STREAM, ROOM_EVENT_CONSUMER, async (m) => {
      const msg = newRoomEvent(parse(m));
      if (msg === "malformed") return skip(OUTPUT_ROOM_EVENT_STREAM, m.seq);
      if (msg) await processNewRoomEvent(deps, msg);
    }, { onError: onError(OUTPUT_ROOM_EVENT_STREAM) }),
    streams.consume(OUTPUT_RECEIPT_EVENT, RECEIPT_CONSUMER, async (m) => {
      const r = outputReceiptEventSchema.safeParse(parse(m));
      if (!r.success) return skip(OUTPUT_RECEIPT_EVENT, m.seq);
      await processReceipt(deps, r.data);
    }, { onError: onError(OUTPUT_RECEIPT_EVENT) }),
  ]);
}
