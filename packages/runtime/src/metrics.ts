/**
 * Prometheus metrics: one prom-client Registry per process (not prom-client's global one, so
 * tests and several servers in one process never collide). The HTTP server records request
 * counts and latency per route; other code records stream lag and DB pool use through the
 * helpers below, which create their gauges on first use and reuse them by name afterwards.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  /** A gauge registered under `name`, created on first call and returned as-is afterwards. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L>;
  /** A counter registered under `name`, created on first call. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  /**
   * Run `refresh` before each `text()` (e.g. read stream lag just before a scrape); it should
   * not throw (a rejection is ignored) and is given at most 2 s. Returns a function removing it.
   */
  beforeScrape(refresh: () => Promise<void>): () => void;
  /** The exposition text for `GET /metrics` (after the beforeScrape refreshes). */
  text(): Promise<string>;
  readonly contentType: string;
}

export interface CreateMetricsOptions {
  /** Process-level metrics (CPU, memory, event loop lag). Default true. */
  defaultMetrics?: boolean;
  /** Labels on every metric, e.g. `{ component: "roomserver" }` in a polylith process. */
  defaultLabels?: Record<string, string>;
}

const SCRAPE_REFRESH_TIMEOUT_MS = 2000;

export function createMetrics(opts: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultLabels) registry.setDefaultLabels(opts.defaultLabels);
  // The event-loop lag is sampled by a timer: prom-client's default of every 10 ms woke an idle
  // server 100 times a second (≈ 2 % of a core); every 100 ms still sees any stall worth a graph.
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });

  const httpRequests = new Counter({
    name: "dendrite_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "dendrite_http_request_duration_seconds",
    help: "HTTP request latency, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const refreshers = new Set<() => Promise<void>>();
  const runRefreshers = async () => {
    if (refreshers.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((ok) => {
      timer = setTimeout(ok, SCRAPE_REFRESH_TIMEOUT_MS);
      timer.unref();
    });
    const all = Promise.allSettled([...refreshers].map((fn) => Promise.resolve().then(fn)));
    await Promise.race([all, timeout]);
    clearTimeout(timer);
  };

  return {
    registry,
    httpRequests,
    httpDuration,
    gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
      const existing = registry.getSingleMetric(name);
      if (existing) return existing as unknown as Gauge<L>;
      return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
    },
    counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
      const existing = registry.getSingleMetric(name);
      if (existing) return existing as unknown as Counter<L>;
      return new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
    },
    beforeScrape(refresh: () => Promise<void>): () => void {
      const fn = () => refresh();
      refreshers.add(fn);
      return () => void refreshers.delete(fn);
    },
    text: async () => {
      await runRefreshers();
      return registry.metrics();
    },
    contentType: registry.contentType,
  };
}

/** How far a durable consumer is behind its stream (messages pending delivery or ack). */
export function recordStreamLag(
  metrics: Metrics,
  labels: { stream: string; consumer: string },
  pending: number,
): void {
  metrics
    .gauge("dendrite_stream_consumer_lag", "Messages not yet acknowledged by a consumer", [
      "stream",
      "consumer",
    ])
    .set(labels, pending);
}

/** Connections of a database pool in use, idle, and the pool's maximum. */
export function recordDbPool(
  metrics: Metrics,
  pool: string,
  use: { inUse: number; idle: number; max: number },
): void {
  const g = metrics.gauge("dendrite_db_pool_connections", "Database pool connections by state", [
    "pool",
    "state",
  ]);
  g.set({ pool, state: "in_use" }, use.inUse);
  g.set({ pool, state: "idle" }, use.idle);
  g.set({ pool, state: "max" }, use.max);
}
