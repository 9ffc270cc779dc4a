/**
 * The monolith: every component in one process, wired with `localClient`s (plain function
 * calls) over one database and one set of streams. `startMonolith` is what main.ts and the tests
 * call; it returns once the server is listening.
 */
import { clientapiConfigFrom, createClientapi } from "@dendrite-ts/clientapi";
import { createEduserver, eduserverContract } from "@dendrite-ts/eduserver";
import { createKeyserver, keyserverContract } from "@dendrite-ts/keyserver";
import { createMediaapi } from "@dendrite-ts/mediaapi";
import { createRoomserver, roomserverContract, type RoomserverContract } from "@dendrite-ts/roomserver";
import {
  startStreamLagReporter,
  type ContractClient,
  closeServer,
  configPath,
  createHttpServer,
  createLogger,
  createMetrics,
  listen,
  localClient,
  openConfiguredDatabase,
  openConfiguredStreams,
  type DendriteConfig,
  type Logger,
} from "@dendrite-ts/runtime";
import {
  createServerKeyApi,
  loadConfiguredKeys,
  registerKeyRoutes,
  registerServerDiscoveryRoute,
  serverKeyContract,
  type ServerKeyContract,
} from "@dendrite-ts/serverkeyapi";
import { createSyncapi } from "@dendrite-ts/syncapi";
import {
  createUserapi,
  ensureConfiguredTokens,
  registrationFromConfig,
  userapiContract,
  type UserapiContract,
} from "@dendrite-ts/userapi";

export interface StartMonolithOptions {
  config: DendriteConfig;
  /** Directory relative paths in the config are resolved against (the config file's). */
  baseDir: string;
  logger?: Logger;
}

/** The components' clients, for code embedding the monolith (and its tests). */
export interface MonolithClients {
  readonly serverKeys: ContractClient<ServerKeyContract>;
  readonly roomserver: ContractClient<RoomserverContract>;
  readonly userapi: ContractClient<UserapiContract>;
}

export interface RunningMonolith {
  /** e.g. http://127.0.0.1:8008 */
  readonly url: string;
  readonly port: number;
  readonly clients: MonolithClients;
  close(): Promise<void>;
}

export async function startMonolith(opts: StartMonolithOptions): Promise<RunningMonolith> {
  const { config, baseDir } = opts;
  const { global } = config;
  const logger = opts.logger ?? createLogger(config.logging);
  const { signingKey, oldKeys } = loadConfiguredKeys(global, baseDir);

  const db = await openConfiguredDatabase(config, baseDir);
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => logger.error({ err: e }, "error during shutdown"));
  };
  try {
    const streams = await openConfiguredStreams(config, db);
    cleanups.push(() => streams.close());

    const serverKeys = localClient(
      serverKeyContract,
      await createServerKeyApi({ db, config: global, signingKey, oldKeys, logger }),
    );
    const roomserverImpl = await createRoomserver({
      db,
      streams,
      serverName: global.server_name,
      signingKey,
      logger: logger.child({ component: "roomserver" }),
      defaultRoomVersion: global.default_room_version,
      eventCacheEntries: config.roomserver.event_cache_entries,
    });
    cleanups.push(() => roomserverImpl.close());
    const roomserver = localClient(roomserverContract, roomserverImpl.api);
    const userapiImpl = await createUserapi({
      db,
      streams,
      serverName: global.server_name,
      registration: registrationFromConfig(global.registration),
      logger: logger.child({ component: "userapi" }),
      ...(config.userapi.notifications.enabled ? { notifications: { streams, roomserver } } : {}),
    });
    cleanups.push(() => userapiImpl.close());
    const userapi = localClient(userapiContract, userapiImpl.api);
    await ensureConfiguredTokens(userapi, global.registration.tokens);
    const eduserverImpl = await createEduserver({ streams, logger: logger.child({ component: "eduserver" }) });
    cleanups.push(() => eduserverImpl.close());
    const eduserver = localClient(eduserverContract, eduserverImpl.api);
    const keyserverImpl = await createKeyserver({
      db,
      streams,
      serverName: global.server_name,
      logger: logger.child({ component: "keyserver" }),
    });
    cleanups.push(() => keyserverImpl.close());
    const keyserver = localClient(keyserverContract, keyserverImpl.api);

    const clientapi = await createClientapi({
      userapi,
      roomserver,
      eduserver,
      keyserver,
      db,
      serverName: global.server_name,
      config: clientapiConfigFrom(config),
      logger: logger.child({ component: "clientapi" }),
    });
    // The monolith's syncapi is the only one on its database: no NOTIFY between syncapi processes.
    const syncapi = await createSyncapi({ db, streams, roomserver, userapi, keyserver, eduserver, serverName: global.server_name, logger, alone: true });
    cleanups.push(() => syncapi.close());
    const mediaapi = await createMediaapi({
      db,
      userapi,
      serverName: global.server_name,
      basePath: configPath(baseDir, config.mediaapi.base_path),
      maxFileSizeBytes: config.mediaapi.max_file_size_bytes,
      urlPreviews: {
        enabled: config.mediaapi.url_previews.enabled,
        denyNetworks: config.mediaapi.url_previews.deny_networks,
        allowNetworks: config.mediaapi.url_previews.allow_networks,
      },
    });

    const metrics = createMetrics();
    if (config.metrics.enabled) {
      const lag = startStreamLagReporter({ streams, metrics, logger });
      cleanups.push(async () => lag.stop());
    }
    const server = createHttpServer({ logger, metrics });
    clientapi.register(server);
    syncapi.register(server);
    mediaapi.register(server);
    registerKeyRoutes(server, serverKeys);
    registerServerDiscoveryRoute(server, global.well_known.server_name);

    const address = await listen(server, config.monolith.listen);
    cleanups.push(() => closeServer(server));
    logger.info({ url: address.url, serverName: global.server_name }, "dendrite-ts monolith listening");
    return { url: address.url, port: address.port, clients: { serverKeys, roomserver, userapi }, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
