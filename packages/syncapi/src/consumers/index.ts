/**
 * Starts the syncapi's durable consumers: OutputRoomEvent, OutputClientData, OutputTypingEvent,
 * OutputReceiptEvent, OutputKeyChangeEvent (twice: device lists, and deleted devices' to-device
 * messages), OutputNotificationData, OutputSendToDeviceEvent and OutputPresenceEvent. Each runs one message at a time
 * (concurrency 1) so stream positions commit in the order they were taken; a malformed message
 * is logged and skipped (well-formed.ts).
 */
import { outputRoomEventStream, type RoomserverForSync } from "@dendrite-ts/roomserver";
import type { Logger, StreamDefinition, StreamMessage, Streams, Subscription } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import { outputClientDataStream, outputNotificationDataStream } from "@dendrite-ts/userapi";
import { outputPresenceEventStream, outputReceiptEventStream, outputSendToDeviceEventStream, outputTypingEventStream } from "@dendrite-ts/eduserver";
import type { TypingState } from "../sync/typing";
import type { PresenceState } from "../sync/presence";
import type { PresenceReporter } from "../sync/presence-reports";
import { createPresenceHandler, createReceiptHandler, createTypingHandler } from "./ephemeral";
import { outputKeyChangeEventStream } from "@dendrite-ts/keyserver";
import { createKeyChangeHandler } from "./key-changes";
import type { Wake } from "../notifier";
import type { WakeBus } from "../wake-bus";
import type { SyncStore } from "../storage";
import type { IgnoredUsers } from "../sync/ignored-users";
import { createClientDataHandler } from "./client-data";
import { createNotificationDataHandler } from "./notification-data";
import { createDeviceDeletedHandler, createSendToDeviceHandler } from "./send-to-device";
import { createRoomEventHandler } from "./room-events";
import {
  checkClientData,
  checkKeyChange,
  checkNotificationData,
  checkPresence,
  checkReceiptEvent,
  checkRoomEvent,
  checkSendToDevice,
  checkTypingEvent,
  type Checked,
} from "./well-formed";

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
export const PRESENCE_CONSUMER = "syncapi-presence";

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
  /** Local users' presence held in memory, and the reports of syncing users to eduserver. */
  presence: Pick<PresenceState, "apply" | "touch">;
  presenceReports?: Pick<PresenceReporter, "heard">;
  /** Expands a to-device message's "*" to the user's devices. */
  userapi: Pick<UserapiForSync, "queryDevices">;
}

/** One durable consumer: the stream it reads, its name, how a message is checked and handled. */
interface ConsumerSpec<T> {
  stream: StreamDefinition;
  consumer: string;
  check(payload: unknown): Checked<T>;
  handle(msg: T): Promise<void> | void;
}
const spec = <T>(s: ConsumerSpec<T>): ConsumerSpec<T> => s;

/** Creates the streams and durable consumers if missing (before producers publish), then consumes. */
export async function startConsumers(deps: ConsumerDeps): Promise<Subscription[]> {
  const { streams, logger } = deps;
  // Typing and presence are this process's memory: its own waiters only.
  const wakeLocal = (what: Wake) => (deps.bus ? deps.bus.wakeLocal(what) : deps.wake(what));
  const specs = [
    spec({ stream: outputRoomEventStream, consumer: ROOM_EVENT_CONSUMER, check: checkRoomEvent, handle: createRoomEventHandler(deps) }),
    spec({ stream: outputClientDataStream, consumer: CLIENT_DATA_CONSUMER, check: checkClientData, handle: createClientDataHandler(deps) }),
    spec({
      stream: outputTypingEventStream,
      consumer: TYPING_CONSUMER,
      check: checkTypingEvent,
      handle: createTypingHandler({ typing: deps.typing, wakeLocal }),
    }),
    spec({ stream: outputReceiptEventStream, consumer: RECEIPT_CONSUMER, check: checkReceiptEvent, handle: createReceiptHandler(deps) }),
    spec({ stream: outputKeyChangeEventStream, consumer: KEY_CHANGE_CONSUMER, check: checkKeyChange, handle: createKeyChangeHandler(deps) }),
    spec({ stream: outputNotificationDataStream, consumer: NOTIFICATION_DATA_CONSUMER, check: checkNotificationData, handle: createNotificationDataHandler(deps) }),
    spec({ stream: outputSendToDeviceEventStream, consumer: SEND_TO_DEVICE_CONSUMER, check: checkSendToDevice, handle: createSendToDeviceHandler(deps) }),
    spec({ stream: outputKeyChangeEventStream, consumer: DEVICE_DELETED_CONSUMER, check: checkKeyChange, handle: createDeviceDeletedHandler(deps) }),
    spec({ stream: outputPresenceEventStream, consumer: PRESENCE_CONSUMER, check: checkPresence, handle: createPresenceHandler({ presence: deps.presence, ...(deps.presenceReports ? { presenceReports: deps.presenceReports } : {}), store: deps.store, wakeLocal }) }),
  ] as ConsumerSpec<unknown>[];
  for (const stream of new Set(specs.map((s) => s.stream))) await streams.ensureStream(stream);
  for (const s of specs) await streams.ensureConsumer(s.stream.name, s.consumer);
  return Promise.all(
    specs.map((s) =>
      streams.consume(
        s.stream.name,
        s.consumer,
        (m) => {
          const c = s.check(parse(m));
          if (c.ok) return s.handle(c.msg);
          logger.error({ stream: s.stream.name, seq: m.seq, reason: c.reason }, "syncapi skipped a malformed message");
        },
        {
          concurrency: 1,
          onError: (err, msg, dropped) => logger.error({ err, stream: s.stream.name, seq: msg.seq, dropped }, "syncapi consumer failed"),
        },
      ),
    ),
  );
}
