/**
 * Starts the syncapi's durable consumers: OutputRoomEvent, OutputClientData, OutputTypingEvent,
 * OutputReceiptEvent, OutputSendToDeviceEvent and OutputNotificationData. Each runs one message at a time (concurrency 1) so stream positions
 * commit in the order they were taken.
 */
import { OUTPUT_ROOM_EVENT_STREAM, outputRoomEventStream, type RoomserverForSync } from "@dendrite-ts/roomserver";
import type { Logger, StreamMessage, Streams, Subscription } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import { OUTPUT_CLIENT_DATA, OUTPUT_NOTIFICATION_DATA, outputClientDataStream, outputNotificationDataStream } from "@dendrite-ts/userapi";
import {
  OUTPUT_RECEIPT_EVENT,
  OUTPUT_SEND_TO_DEVICE_EVENT,
  OUTPUT_TYPING_EVENT,
  outputReceiptEventStream,
  outputSendToDeviceEventSchema,
  outputSendToDeviceEventStream,
  outputTypingEventStream,
} from "@dendrite-ts/eduserver";
import type { TypingState } from "../sync/typing";
import { createReceiptHandler, createTypingHandler } from "./ephemeral";
import { OUTPUT_KEY_CHANGE_EVENT, outputKeyChangeEventSchema, outputKeyChangeEventStream } from "@dendrite-ts/keyserver";
import { createKeyChangeHandler } from "./key-changes";
import type { Wake } from "../notifier";
import type { WakeBus } from "../wake-bus";
import type { SyncStore } from "../storage";
import type { IgnoredUsers } from "../sync/ignored-users";
import { createClientDataHandler } from "./client-data";
import { createNotificationDataHandler } from "./notification-data";
import { createDeviceDeletedHandler, createSendToDeviceHandler } from "./send-to-device";
import { createRoomEventHandler } from "./room-events";
import { checkClientData, checkNotificationData, checkReceiptEvent, checkRoomEvent, checkTypingEvent } from "./well-formed";

/** The payload, or undefined when it is not JSON at all. */
function parse(m: StreamMessage): unknown {
  try {
    return m.json();
  } catch {
    return undefined;
  }
}

export const ROOM_EVENT_CONSUMER = "syncapi-room-events";
export const CLIENT_DATA_CONSUMER = "syncapi-client-data";
export const TYPING_CONSUMER = "syncapi-typing";
export const RECEIPT_CONSUMER = "syncapi-receipts";
export const KEY_CHANGE_CONSUMER = "syncapi-key-changes";
export const NOTIFICATION_DATA_CONSUMER = "syncapi-notification-data";
export const SEND_TO_DEVICE_CONSUMER = "syncapi-send-to-device";
/** Deleted devices, from the key-change stream: their to-device messages go. */
export const DEVICE_DELETED_CONSUMER = "syncapi-to-device-deleted";

export interface ConsumerDeps {
  store: SyncStore;
  streams: Streams;
  roomserver: Pick<RoomserverForSync, "queryEventsById">;
  logger: Logger;
  wake(what: Wake): void;
  /** Lets one-statement writes carry their own NOTIFY (see room-events.ts). */
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
  /** The ignore lists held in memory, kept current as m.ignored_user_list changes. */
  ignored: Pick<IgnoredUsers, "set">;
  /** The typing lists held in memory. */
  typing: Pick<TypingState, "apply">;
  /** Expands a to-device message's "*" to the user's devices. */
  userapi: Pick<UserapiForSync, "queryDevices">;
}

/** Creates the streams and durable consumers if missing (before producers publish), then consumes. */
export async function startConsumers(deps: ConsumerDeps): Promise<Subscription[]> {
  const { streams, logger } = deps;
  await streams.ensureStream(outputRoomEventStream);
  await streams.ensureStream(outputClientDataStream);
  await streams.ensureConsumer(OUTPUT_ROOM_EVENT_STREAM, ROOM_EVENT_CONSUMER);
  await streams.ensureConsumer(OUTPUT_CLIENT_DATA, CLIENT_DATA_CONSUMER);
  await streams.ensureStream(outputTypingEventStream);
  await streams.ensureStream(outputReceiptEventStream);
  await streams.ensureConsumer(OUTPUT_TYPING_EVENT, TYPING_CONSUMER);
  await streams.ensureConsumer(OUTPUT_RECEIPT_EVENT, RECEIPT_CONSUMER);
  await streams.ensureStream(outputKeyChangeEventStream);
  await streams.ensureConsumer(OUTPUT_KEY_CHANGE_EVENT, KEY_CHANGE_CONSUMER);
  await streams.ensureStream(outputNotificationDataStream);
  await streams.ensureConsumer(OUTPUT_NOTIFICATION_DATA, NOTIFICATION_DATA_CONSUMER);
  await streams.ensureStream(outputSendToDeviceEventStream);
  await streams.ensureConsumer(OUTPUT_SEND_TO_DEVICE_EVENT, SEND_TO_DEVICE_CONSUMER);
  await streams.ensureConsumer(OUTPUT_KEY_CHANGE_EVENT, DEVICE_DELETED_CONSUMER);
  const onRoomEvent = createRoomEventHandler(deps);
  const onClientData = createClientDataHandler(deps);
  const onTyping = createTypingHandler({ typing: deps.typing, wakeLocal: (what) => (deps.bus ? deps.bus.wakeLocal(what) : deps.wake(what)) });
  const onReceipt = createReceiptHandler(deps);
  const onKeyChange = createKeyChangeHandler(deps);
  const onNotificationData = createNotificationDataHandler(deps);
  const onSendToDevice = createSendToDeviceHandler(deps);
  const onDeviceDeleted = createDeviceDeletedHandler(deps);
  const skip = (stream: string, seq: number, reason: string) => logger.error({ stream, seq, reason }, "syncapi skipped a malformed message");
  const onError = (stream: string) => (err: unknown, msg: { seq: number }, dropped: boolean) =>
    logger.error({ err, stream, seq: msg.seq, dropped }, "syncapi consumer failed");
  return Promise.all([
    streams.consume(OUTPUT_ROOM_EVENT_STREAM, ROOM_EVENT_CONSUMER, (m) => {
      const c = checkRoomEvent(parse(m));
      return c.ok ? onRoomEvent(c.msg) : skip(OUTPUT_ROOM_EVENT_STREAM, m.seq, c.reason);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_ROOM_EVENT_STREAM),
    }),
    streams.consume(OUTPUT_CLIENT_DATA, CLIENT_DATA_CONSUMER, (m) => {
      const c = checkClientData(parse(m));
      return c.ok ? onClientData(c.msg) : skip(OUTPUT_CLIENT_DATA, m.seq, c.reason);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_CLIENT_DATA),
    }),
    streams.consume(OUTPUT_TYPING_EVENT, TYPING_CONSUMER, (m) => {
      const c = checkTypingEvent(parse(m));
      return c.ok ? onTyping(c.msg) : skip(OUTPUT_TYPING_EVENT, m.seq, c.reason);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_TYPING_EVENT),
    }),
    streams.consume(OUTPUT_RECEIPT_EVENT, RECEIPT_CONSUMER, (m) => {
      const c = checkReceiptEvent(parse(m));
      return c.ok ? onReceipt(c.msg) : skip(OUTPUT_RECEIPT_EVENT, m.seq, c.reason);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_RECEIPT_EVENT),
    }),
    streams.consume(OUTPUT_KEY_CHANGE_EVENT, KEY_CHANGE_CONSUMER, (m) => {
      const c = outputKeyChangeEventSchema.safeParse(parse(m));
      return c.success ? onKeyChange(c.data) : skip(OUTPUT_KEY_CHANGE_EVENT, m.seq, c.error.message);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_KEY_CHANGE_EVENT),
    }),
    streams.consume(OUTPUT_NOTIFICATION_DATA, NOTIFICATION_DATA_CONSUMER, (m) => {
      const c = checkNotificationData(parse(m));
      return c.ok ? onNotificationData(c.msg) : skip(OUTPUT_NOTIFICATION_DATA, m.seq, c.reason);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_NOTIFICATION_DATA),
    }),
    streams.consume(OUTPUT_SEND_TO_DEVICE_EVENT, SEND_TO_DEVICE_CONSUMER, (m) => {
      const c = outputSendToDeviceEventSchema.safeParse(parse(m));
      return c.success ? onSendToDevice(c.data) : skip(OUTPUT_SEND_TO_DEVICE_EVENT, m.seq, c.error.message);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_SEND_TO_DEVICE_EVENT),
    }),
    streams.consume(OUTPUT_KEY_CHANGE_EVENT, DEVICE_DELETED_CONSUMER, (m) => {
      const c = outputKeyChangeEventSchema.safeParse(parse(m));
      return c.success ? onDeviceDeleted(c.data) : skip(OUTPUT_KEY_CHANGE_EVENT, m.seq, c.error.message);
    }, {
      concurrency: 1,
      onError: onError(OUTPUT_KEY_CHANGE_EVENT),
    }),
  ]);
}
