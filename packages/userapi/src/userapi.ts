// createUserapi: every dependency up front; migrations, the output stream and any messages a
// crash left in the outbox are dealt with before the API is handed out.
import { applyMigrations, createOutboxPublisher, type Database, type Logger, type Streams } from "@dendrite-ts/runtime";
import type { UserapiApi } from "./api";
import { outputClientDataStream, outputNotificationDataStream } from "./output";
import { startNotificationConsumers, type ConsumerStreams } from "./consumers";
import { RoomStateCache, type StateRoomserver } from "./internal/notifications/room-state";
import { PushRulesCache } from "./internal/notifications/rules-cache";
import { createUserapiStore, userapiMigrations, type Db } from "./storage";
import type { RegistrationConfig } from "./internal/context";
import { userapiImpl } from "./internal/impl";
import { DEFAULT_SCRYPT, type ScryptParams } from "./internal/password";
import { DEFAULT_TOKEN_CACHE_SIZE, TokenCache } from "./internal/token-cache";

/** The part of runtime's `Streams` userapi uses: it only produces. */
export type UserapiStreams = Pick<Streams, "ensureStream" | "publish">;

export interface UserapiDeps {
  db: Pick<Database, "drizzle" | "sql">;
  streams: UserapiStreams;
  /** Our server name: the domain of every local user ID. */
  serverName: string;
  registration: RegistrationConfig;
  logger?: Pick<Logger, "warn" | "info">;
  /** scrypt cost; raise it over time (old hashes upgrade on login). Tests lower it for speed. */
  passwordHashing?: ScryptParams;
  /** Clock, ms since the epoch (tests move it to expire nonces and sessions). */
  now?: () => number;
  /**
   * Access tokens resolved from memory, at most this many (default 50 000; 0 turns it off).
   * Exact only while this is the one userapi writing the database, as both apps arrange.
   */
  tokenCacheSize?: number;
  /**
   * Notifications: consume the room and receipt streams, evaluate push rules, keep unread
   * counts and publish OutputNotificationData. Absent: none are kept (tests of other parts).
   */
  notifications?: {
    streams: ConsumerStreams;
    /** Asked for the members, power levels and create event at an event (once per fork or restart). */
    roomserver: StateRoomserver;
  };
}

export interface Userapi {
  /** The contract implementation: hand it to localClient or mountContract. */
  api: UserapiApi;
  /** Stops background retries; the database and streams belong to the caller. */
  close(): Promise<void>;
}

const silent = { warn() {}, info() {} };

export async function createUserapi(deps: UserapiDeps): Promise<Userapi> {
  await applyMigrations(deps.db, "userapi", userapiMigrations);
  await deps.streams.ensureStream(outputClientDataStream);
  await deps.streams.ensureStream(outputNotificationDataStream);
  const tokens = new TokenCache(deps.tokenCacheSize ?? DEFAULT_TOKEN_CACHE_SIZE);
  const store = createUserapiStore(deps.db.drizzle as unknown as Db, {
    sql: deps.db.sql,
    tokensChanged: (localpart) => tokens.invalidateUser(localpart),
  });
  const log = deps.logger ?? silent;
  const outbox = createOutboxPublisher({
    transaction: (fn) => store.transaction((tx) => fn(tx.outbox)),
    publish: async (subject, msgId, payload) => {
      await deps.streams.publish(subject, payload, { msgId, fromOutbox: true });
    },
    log,
    name: "userapi",
  });
  await outbox.flush();
  const api = userapiImpl({
    store,
    serverName: deps.serverName,
    registration: deps.registration,
    scrypt: deps.passwordHashing ?? DEFAULT_SCRYPT,
    outbox,
    tokens,
    now: deps.now ?? Date.now,
  });
  const subs = deps.notifications
    ? await startNotificationConsumers(
        deps.notifications.streams,
        { store, serverName: deps.serverName, outbox, roomState: new RoomStateCache(deps.notifications.roomserver), rules: new PushRulesCache() },
        log,
      )
    : [];
  return {
    api,
    close: async () => {
      for (const s of subs) await s.stop();
      await outbox.close();
    },
  };
}
