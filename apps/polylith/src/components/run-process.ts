/**
 * What every component process does: open its database (and the streams when it uses them),
 * build the component, serve it on one listener, and on close undo it all in reverse order.
 */
import {
  startStreamLagReporter,
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
import type { ComponentContext, RunningComponent } from "./types";

export interface ProcessParts {
  /** Puts the component's routes (contract or public API) on the server. */
  serve(server: HttpServer): void | Promise<void>;
  close?: () => Promise<void>;
}

export async function runProcess(
  name: ComponentName,
  ctx: ComponentContext,
  opts: { streams: boolean; listen: string },
  build: (db: Database, streams: Streams | undefined) => Promise<ProcessParts>,
): Promise<RunningComponent> {
  const { config, baseDir, logger, metrics } = ctx;
  const db = await openConfiguredDatabase(config, baseDir, name);
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => logger.error({ err: e }, "error during shutdown"));
  };
  try {
    let streams: Streams | undefined;
    if (opts.streams) {
      const s = await openConfiguredStreams(config, db, `dendrite-ts ${name}`);
      cleanups.push(() => s.close());
      streams = s;
    }
    const parts = await build(db, streams);
    if (parts.close) cleanups.push(parts.close);
    if (streams && config.metrics.enabled) {
      // Lag of the durable consumers this process runs (closed first: before the streams).
      const lag = startStreamLagReporter({ streams, metrics, logger });
      cleanups.push(async () => lag.stop());
    }
    const server = createHttpServer({ logger, metrics });
    await parts.serve(server);
    const address = await listen(server, opts.listen);
    cleanups.push(() => closeServer(server));
    logger.info({ url: address.url }, `${name} listening`);
    return { close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
