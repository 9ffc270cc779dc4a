/**
 * `polylith <component> --config FILE` runs one component as its own process;
 * `polylith all --config FILE` starts every component as a child process, supervises them and
 * serves the public paths from one address through a front proxy (config `polylith.listen`).
 */
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  ConfigError,
  componentLogger,
  createLogger,
  createMetrics,
  loadConfig,
  parseListenAddress,
  type DendriteConfig,
  type Logger,
} from "@dendrite-ts/runtime";
import { COMPONENT_ENTRIES, componentEntry, type RunningComponent } from "./components/index";
import { createFrontProxy } from "./front-proxy";
import { READY_MESSAGE, STOP_GRACE_MS, SUPERVISED_ENV, superviseChildren } from "./supervisor";

const USAGE = `Usage: polylith <component|all> --config FILE

  component   one of: ${COMPONENT_ENTRIES.map((c) => c.name).join(", ")}
  all         every component as its own process, plus the front proxy on polylith.listen
`;

function onSignals(stop: (signal: NodeJS.Signals) => Promise<void>, logger: Logger): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    stop(signal).then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

async function runOne(name: string, config: DendriteConfig, baseDir: string): Promise<void> {
  const entry = componentEntry(name);
  if (!entry) throw new UsageError(`unknown component "${name}"`);
  const logger = componentLogger(createLogger(config.logging), name);
  const metrics = createMetrics({ defaultLabels: { component: name } });
  // Watched from the first moment: a supervisor killed while we start must not leave us running.
  let running: RunningComponent | undefined;
  const supervisor = Number(process.env[SUPERVISED_ENV]);
  if (supervisor > 0) exitWithSupervisor(supervisor, () => running?.close() ?? Promise.resolve(), logger);
  const started = await entry.run({ config, baseDir, logger, metrics });
  running = started;
  onSignals(() => started.close(), logger);
  process.send?.(READY_MESSAGE);
}

async function runAll(configPath: string, config: DendriteConfig): Promise<void> {
  const logger = componentLogger(createLogger(config.logging), "polylith");
  const script = process.argv[1];
  if (!script) throw new Error("cannot tell which script to start the components with");
  const supervisor = superviseChildren(
    script,
    COMPONENT_ENTRIES.map((c) => ({ name: c.name, args: [c.name, "--config", configPath] })),
    logger,
  );
  const routes = COMPONENT_ENTRIES.flatMap((c) => c.publicRoutes(config));
  const proxy = createFrontProxy(routes);
  let stopping = false;
  onSignals(async (signal) => {
    stopping = true;
    // Clients' keep-alive connections would hold the proxy open: drop them, stop the children
    // at the same time.
    const proxyClosed = proxy.listening ? new Promise<void>((ok) => proxy.close(() => ok())) : Promise.resolve();
    proxy.closeAllConnections();
    await Promise.all([proxyClosed, supervisor.stop(signal)]);
  }, logger);
  // The front door opens once every component serves: a client's first /sync must not get 502.
  const report = setInterval(() => logger.info({ waitingFor: supervisor.notReady() }, "waiting for components to start"), 10_000);
  await Promise.race([supervisor.ready, supervisor.stopped]);
  clearInterval(report);
  if (stopping) return;
  const { host, port } = parseListenAddress(config.polylith.listen);
  await new Promise<void>((ok, fail) => {
    proxy.once("error", fail);
    proxy.listen(port, host, () => ok());
  });
  logger.info({ listen: config.polylith.listen, routes }, "polylith front proxy listening");
  process.stdout.write(`dendrite-ts polylith is serving ${config.global.server_name} on ${config.polylith.listen}\n`);
}

class UsageError extends Error {}

/**
 * A component started by `polylith all` ends when its supervisor is gone (killed with -9, say):
 * re-parented processes would otherwise keep the ports and the database busy forever. The
 * supervisor's pid comes in the environment, so a supervisor that died before we looked still
 * counts. Nobody is left to SIGKILL a close that hangs (a call to a component that is going
 * too), so it gets the grace a supervised stop gets, then the process exits anyway.
 */
function exitWithSupervisor(supervisor: number, close: () => Promise<void>, logger: Logger): void {
  const timer = setInterval(() => {
    if (process.ppid === supervisor) return;
    clearInterval(timer);
    logger.warn({ supervisor }, "supervisor is gone; stopping");
    setTimeout(() => {
      logger.error({ graceMs: STOP_GRACE_MS }, "closing took too long without a supervisor; exiting");
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    close().finally(() => process.exit(1));
  }, 1000);
  timer.unref();
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { config: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const [what, ...extra] = positionals;
  if (!what || extra.length > 0) throw new UsageError("name one component, or all");
  if (!values.config) throw new UsageError("--config FILE is required (write one with: npm run generate-config -- --polylith)");
  const configPath = resolve(values.config);
  const config = loadConfig({ path: configPath });
  if (what === "all") await runAll(configPath, config);
  else await runOne(what, config, dirname(configPath));
}

main().catch((e) => {
  if (e instanceof UsageError) process.stderr.write(`${e.message}\n\n${USAGE}`);
  else if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`polylith failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
