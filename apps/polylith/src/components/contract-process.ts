/**
 * The shape every internal component process shares: open its database and the streams, build
 * the component, serve its contract on `<name>.listen.internal`, and close it all in reverse.
 */
import type { AppRouter } from "@ts-rest/core";
import {
  closeServer,
  createHttpServer,
  listen,
  mountContract,
  openConfiguredDatabase,
  openConfiguredStreams,
  type ComponentName,
  type ContractImpl,
  type Database,
  type HttpServer,
  type Streams,
} from "@dendrite-ts/runtime";
import { internalListen } from "./addresses";
import type { ComponentContext, RunningComponent } from "./types";

export interface Built<C extends AppRouter> {
  impl: ContractImpl<C>;
  close?: () => Promise<void>;
  /** Extra routes on the same listener (e.g. public key routes until federationapi owns them). */
  extraRoutes?: (server: HttpServer) => void;
}

export async function runContractProcess<C extends AppRouter>(
  name: ComponentName,
  contract: C,
  ctx: ComponentContext,
  build: (db: Database, streams: Streams) => Promise<Built<C>>,
): Promise<RunningComponent> {
  const { config, baseDir, logger, metrics } = ctx;
  const db = await openConfiguredDatabase(config, baseDir, name);
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => logger.error({ err: e }, "error during shutdown"));
  };
  try {
    const streams = await openConfiguredStreams(config, db, `dendrite-ts ${name}`);
    cleanups.push(() => streams.close());
    const built = await build(db, streams);
    if (built.close) cleanups.push(built.close);
    const server = createHttpServer({ logger, metrics });
    await mountContract(server, contract, built.impl);
    built.extraRoutes?.(server);
    const address = await listen(server, internalListen(config, name));
    cleanups.push(() => closeServer(server));
    logger.info({ url: address.url }, `${name} listening`);
    return { close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
