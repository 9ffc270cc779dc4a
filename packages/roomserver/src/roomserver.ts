/**
 * createRoomserver: every dependency up front, nothing set later. Applies the schema's
 * migrations, makes sure the streams and our input consumer exist, publishes any outputs a
 * previous process left in the outbox, then starts consuming input.
 */
import type { SigningKey } from "@dendrite-ts/protocol";
import { applyMigrations, createLogger, type Database, type Logger, type Streams } from "@dendrite-ts/runtime";
import type { RoomserverApi } from "./api";
import { createContext } from "./internal/context";
import { roomserverImpl } from "./internal/impl";
import { createInputter, INPUT_CONSUMER } from "./internal/input/inputter";
import { createOutputRelay } from "./internal/output-relay";
import { INPUT_ROOM_EVENT_STREAM, OUTPUT_ROOM_EVENT_STREAM } from "./output";
import { createRoomserverStore, ROOMSERVER_SCHEMA, roomserverMigrations } from "./storage";

export interface RoomserverDeps {
  readonly db: Database;
  readonly streams: Streams;
  /** Our server name: the origin of events we build, and what makes a user local. */
  readonly serverName: string;
  /** Signs the events we build. */
  readonly signingKey: SigningKey;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Version of rooms created without one (default: protocol's DEFAULT_ROOM_VERSION, "12"). */
  readonly defaultRoomVersion?: string;
  /** Recent events kept parsed in memory (default 10,000; config `roomserver.event_cache_entries`). */
  readonly eventCacheEntries?: number;
}

export interface Roomserver {
  /** The contract's implementation: wrap it with localClient or mountContract. */
  readonly api: RoomserverApi;
  /** Publishes every output still in the outbox (tests, shutdown). */
  flushOutputs(): Promise<void>;
  /** Stops consuming input and publishing outputs; leaves db and streams open (they are the caller's). */
  close(): Promise<void>;
}

/** Stream definitions the roomserver reads and writes; consumers of outputs may ensure them too. */
export const inputRoomEventStream = { name: INPUT_ROOM_EVENT_STREAM, subjects: [`${INPUT_ROOM_EVENT_STREAM}.>`] };
export const outputRoomEventStream = {
  name: OUTPUT_ROOM_EVENT_STREAM,
  subjects: [`${OUTPUT_ROOM_EVENT_STREAM}.>`],
  // Long enough to cover a restart between publishing an outbox row and deleting it.
  duplicateWindowMs: 10 * 60_000,
};

export async function createRoomserver(deps: RoomserverDeps): Promise<Roomserver> {
  const logger = (deps.logger ?? createLogger({ level: "silent" })).child({ component: "roomserver" });
  await applyMigrations(deps.db, ROOMSERVER_SCHEMA, roomserverMigrations);
  await deps.streams.ensureStream(inputRoomEventStream);
  await deps.streams.ensureStream(outputRoomEventStream);
  await deps.streams.ensureConsumer(INPUT_ROOM_EVENT_STREAM, INPUT_CONSUMER);

  const store = createRoomserverStore(deps.db);
  const relay = createOutputRelay(store, deps.streams, logger);
  const ctx = createContext({
    store,
    serverName: deps.serverName,
    signingKey: deps.signingKey,
    logger,
    defaultRoomVersion: deps.defaultRoomVersion ?? "12",
    outputs: relay,
    eventCacheEntries: deps.eventCacheEntries,
  });
  const inputter = createInputter(ctx, deps.streams);
  await relay.flush();
  relay.start();
  await inputter.start();

  return {
    api: roomserverImpl(ctx, inputter),
    flushOutputs: () => relay.flush(),
    async close() {
      await inputter.stop();
      await relay.stop();
    },
  };
}
