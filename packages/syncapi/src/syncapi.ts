/**
 * createSyncapi: every dependency up front, nothing set later. Applies the schema's
 * migrations, starts the consumers (their durable positions and ours live in the database, so
 * a new instance on the same database carries on and old since tokens stay valid), and hands
 * out `register(server)` for the public routes.
 */
import { applyMigrations, type Database, type HttpServer, type Logger, type Streams, type Subscription } from "@dendrite-ts/runtime";
import type { KeyserverForSync } from "@dendrite-ts/keyserver";
import type { EduserverForSync } from "@dendrite-ts/eduserver";
import type { RoomserverForSync } from "@dendrite-ts/roomserver";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import { startConsumers } from "./consumers";
import { createNotifier } from "./notifier";
import { createLocalWakeBus, createWakeBus } from "./wake-bus";
import { registerRoutes } from "./routing";
import { createCatchUp } from "./routing/catch-up";
import { IgnoredUsers } from "./sync/ignored-users";
import { TypingState } from "./sync/typing";
import { PresenceState } from "./sync/presence";
import { PresenceReporter } from "./sync/presence-reports";
import { createSyncStore, SYNCAPI_SCHEMA, syncapiMigrations, type Executor } from "./storage";

export interface SyncapiDeps {
  readonly db: Database;
  readonly streams: Streams;
  /**
   * State events we never saw arrive (a join over federation) are fetched from it; before a
   * 403 or 404 we ask what it holds, in case that has not reached us yet.
   */
  readonly roomserver: RoomserverForSync;
  /** Access tokens. */
  readonly userapi: UserapiForSync;
  /** The syncing device's key counts. */
  readonly keyserver: KeyserverForSync;
  /** Where syncing users' presence goes (set_presence). */
  readonly eduserver: EduserverForSync;
  /** Our server name. */
  readonly serverName: string;
  readonly logger: Logger;
  /**
   * No other syncapi process serves this database (the monolith): long-polls are woken
   * in-process only, without LISTEN/NOTIFY. Default false: a polylith may run several.
   */
  readonly alone?: boolean;
}

export interface Syncapi {
  /** Registers /sync, filters, /messages, /context, /event and /members on the server. */
  register(server: HttpServer): void;
  /** Stops consuming and answers waiting /sync requests; db and streams stay open (they are the caller's). */
  close(): Promise<void>;
}

export async function createSyncapi(deps: SyncapiDeps): Promise<Syncapi> {
  const logger = deps.logger.child({ component: "syncapi" });
  await applyMigrations(deps.db, SYNCAPI_SCHEMA, syncapiMigrations);
  const store = createSyncStore(deps.db.drizzle as unknown as Executor, deps.db.sql);
  const notifier = createNotifier();
  const ignored = new IgnoredUsers(store);
  const typing = new TypingState();
  const presence = new PresenceState();
  const presenceReports = new PresenceReporter(
    (userId, setPresence) => deps.eduserver.performSyncPresence({ body: { userId, setPresence } }),
    (err) => logger.warn({ err }, "syncapi: reporting a syncing user's presence failed"),
  );
  const bus = deps.alone
    ? createLocalWakeBus(notifier)
    : await createWakeBus(deps.db, notifier, (err) => logger.warn({ err }, "syncapi wake bus"), (users) => ignored.forget(users));
  let closing = false;
  const subscriptions: Subscription[] = await startConsumers({
    store,
    streams: deps.streams,
    roomserver: deps.roomserver,
    logger,
    wake: (what) => bus.wake(what),
    bus,
    ignored,
    typing,
    presence,
    presenceReports,
    userapi: deps.userapi,
  });
  return {
    register(server) {
      const catchUp = createCatchUp({ store, notifier, roomserver: deps.roomserver });
      registerRoutes(server, {
        store,
        userapi: deps.userapi,
        keyserver: deps.keyserver,
        notifier,
        catchUp,
        ignored,
        typing,
        presence,
        presenceReports,
        closing: () => closing,
      });
    },
    async close() {
      closing = true;
      presenceReports.close();
      notifier.wakeAll();
      await Promise.all(subscriptions.map((s) => s.stop()));
      await bus.close();
    },
  };
}
