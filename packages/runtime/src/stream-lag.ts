/**
 * Keeps `dendrite_stream_consumer_lag{stream,consumer}` current for the durable consumers this
 * process runs: every `intervalMs` (timer unref'd) and right before each /metrics scrape.
 * Failures are logged at debug and never thrown: metrics must not take anything down.
 */
import type { Logger } from "./logging.js";
import { recordStreamLag, type Metrics } from "./metrics.js";
import type { Streams } from "./streams/types.js";

export interface StreamLagReporter {
  /** Read every active consumer's lag now (concurrent calls share one pass). */
  refresh(): Promise<void>;
  stop(): void;
}

export function startStreamLagReporter(opts: {
  streams: Streams;
  metrics: Metrics;
  logger: Logger;
  intervalMs?: number;
}): StreamLagReporter {
  const { streams, metrics, logger } = opts;
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async () => {
    for (const { stream, durable } of streams.activeConsumers()) {
      if (stopped) return;
      try {
        recordStreamLag(metrics, { stream, consumer: durable }, await streams.consumerLag(stream, durable));
      } catch (err) {
        logger.debug({ err, stream, consumer: durable }, "could not read stream consumer lag");
      }
    }
  };
  const refresh = () => {
    if (stopped) return Promise.resolve();
    running ??= pass()
      .catch((err: unknown) => logger.debug({ err }, "could not read stream consumer lag"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void refresh(), opts.intervalMs ?? 15_000);
  timer.unref();
  const unhook = metrics.beforeScrape(refresh);
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
      unhook();
    },
  };
}
