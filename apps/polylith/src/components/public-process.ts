/**
 * The shape of a public-facing component process: its own database (and streams when it
 * consumes any), routes registered on a server listening on `<name>.listen.public`.
 */
import {
  closeServer,
  createHttpServer,
  listen,
  openConfiguredDatabase,
  openConfiguredStreams,
  type ComponentName,
  type Database,
  type HttpServer,
  type Streams,
} from "@dendrite-ts/runtime";
import { publicListen } from "./addresses";
import type { ComponentContext, RunningComponent } from "./types";

export interface BuiltPublic {
  register(server: HttpServer): void;
  close?: () => Promise<void>;
}

export async function runPublicProcess(
  name: ComponentName,
  ctx: ComponentContext,
  needs: { streams: boolean },
  build: (db: Database, streams: Streams | undefined) => Promise<BuiltPublic>,
): Promise<RunningComponent> {
  const { config, baseDir, logger, metrics } = ctx;
  const db = await openConfiguredDatabase(config, baseDir, name);
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => logger.error({ err: e }, "error during shutdown"));
  };
  try {
    let streams: Streams | undefined;
    if (needs.streams) {
      streams = await openConfiguredStreams(config, db, `dendrite-ts ${name}`);
      const s = streams;
      cleanups.push(() => s.close());
    }
    const built = await build(db, streams);
    if (built.close) cleanups.push(built.close);
    const server = createHttpServer({ logger, metrics });
    built.register(server);
    const address = await listen(server, publicListen(config, name));
    cleanups.push(() => closeServer(server));
    logger.info({ url: address.url }, `${name} listening`);
    return { close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
