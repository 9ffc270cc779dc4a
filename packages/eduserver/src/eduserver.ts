// createEduserver: every dependency up front; the output streams exist before anything is
// published. It holds no table: typing and presence live in memory, and receipts are kept by their readers
// (syncapi stores the latest of each from the stream), so a receipt is durable once the
// stream acknowledged it, which happens before the caller is answered.
import { createHash } from "node:crypto";
import type { Logger, Streams } from "@dendrite-ts/runtime";
import type { EduserverApi } from "./api";
import { TypingRooms } from "./internal/typing";
import { PresenceTable } from "./internal/presence";
import {
  outputPresenceEventStream,
  outputReceiptEventStream,
  outputSendToDeviceEventStream,
  outputTypingEventStream,
  presenceSubject,
  receiptSubject,
  sendToDeviceSubject,
  typingSubject,
  type OutputReceiptEvent,
  type OutputSendToDeviceEvent,
  type OutputTypingEvent,
} from "./output";

/** The part of runtime's `Streams` eduserver uses: it only produces. */
export type EduserverStreams = Pick<Streams, "ensureStream" | "publish">;

/** A typing timeout longer than this is cut to it (as Synapse does: 120 s). */
export const MAX_TYPING_TIMEOUT_MS = 120_000;
/** When the client names none (the spec requires one; Synapse takes 30 s). */
export const DEFAULT_TYPING_TIMEOUT_MS = 30_000;

export interface EduserverDeps {
  streams: EduserverStreams;
  logger?: Pick<Logger, "warn">;
  /** Clock, ms since the epoch (receipt ts, typing expiry). */
  now?: () => number;
}

export interface Eduserver {
  /** The contract implementation: hand it to localClient or mountContract. */
  api: EduserverApi;
  /** Stops the typing timers; the streams belong to the caller. */
  close(): Promise<void>;
}

export async function createEduserver(deps: EduserverDeps): Promise<Eduserver> {
  await deps.streams.ensureStream(outputTypingEventStream);
  await deps.streams.ensureStream(outputReceiptEventStream);
  await deps.streams.ensureStream(outputSendToDeviceEventStream);
  await deps.streams.ensureStream(outputPresenceEventStream);
  const now = deps.now ?? Date.now;
  const log = deps.logger ?? { warn() {} };
  const typing = new TypingRooms(
    async (ev: OutputTypingEvent) => void (await deps.streams.publish(typingSubject(ev.roomId), ev)),
    now,
    (err) => log.warn({ err }, "eduserver: publishing a typing timeout failed"),
  );
  const presence = new PresenceTable(
    async (ev) => void (await deps.streams.publish(presenceSubject(ev.userId), ev)),
    now,
    (err) => log.warn({ err }, "eduserver: publishing a presence timeout failed"),
  );
  const ok = <T>(body: T) => ({ status: 200 as const, body });
  const api: EduserverApi = {
    performTyping: async ({ body }) => {
      if (body.typing) {
        const timeout = Math.min(body.timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS, MAX_TYPING_TIMEOUT_MS);
        await typing.start(body.roomId, body.userId, timeout);
      } else {
        await typing.stop(body.roomId, body.userId);
      }
      return ok({});
    },
    performReceipt: async ({ body }) => {
      const msg: OutputReceiptEvent = {
        roomId: body.roomId,
        userId: body.userId,
        receiptType: body.receiptType,
        eventId: body.eventId,
        threadId: body.threadId ?? null,
        ts: now(),
      };
      await deps.streams.publish(receiptSubject(body.roomId), msg);
      return ok({ ts: msg.ts });
    },
    performSendToDevice: async ({ body }) => {
      // One message ID per transaction (its path holds the type): a retried one (the client's,
      // or a clientapi that restarted) is stored once by each reader.
      const messageId = createHash("sha256").update(JSON.stringify([body.sender, body.senderDeviceId, body.type, body.txnId])).digest("base64url");
      for (const [userId, devices] of Object.entries(body.messages)) {
        for (const [deviceId, content] of Object.entries(devices)) {
          const msg: OutputSendToDeviceEvent = { sender: body.sender, userId, deviceId, type: body.type, content, messageId };
          await deps.streams.publish(sendToDeviceSubject(userId), msg);
        }
      }
      return ok({});
    },
    performSetPresence: async ({ body }) => {
      await presence.set(body.userId, body.presence, body.statusMsg ?? null);
      return ok({});
    },
    performSyncPresence: async ({ body }) => {
      await presence.synced(body.userId, body.setPresence);
      return ok({});
    },
    queryPresence: async ({ body }) => ok(presence.get(body.userId)),
  };
  return {
    api,
    close: async () => {
      typing.close();
      presence.close();
    },
  };
}
