/**
 * `npm start` / `dendrite-monolith`: the whole homeserver in one process. With no --config it
 * keeps everything in --data-dir (default ./data), creating it on the first run.
 */
import { dirname, resolve } from "node:path";
import { ConfigError, createLogger, loadConfig, type DeepPartial, type DendriteConfigInput } from "@dendrite-ts/runtime";
import { parseMonolithFlags, USAGE, type MonolithFlags } from "./cli";
import { ensureDataDir } from "./first-run";
import { startMonolith } from "./server";

function flagOverrides(flags: MonolithFlags): DeepPartial<DendriteConfigInput> {
  const o: DeepPartial<DendriteConfigInput> = {};
  if (flags.httpPort !== undefined) o.monolith = { listen: `0.0.0.0:${flags.httpPort}` };
  if (flags.serverName !== undefined || flags.openRegistration) {
    o.global = {
      ...(flags.serverName !== undefined ? { server_name: flags.serverName } : {}),
      ...(flags.openRegistration ? { registration: { open: true } } : {}),
    };
  }
  return o;
}

async function main(): Promise<void> {
  let flags: MonolithFlags;
  try {
    flags = parseMonolithFlags(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }

  let configPath = flags.config;
  if (configPath === undefined) {
    const serverName = flags.serverName ?? `localhost:${flags.httpPort ?? 8008}`;
    const first = ensureDataDir(flags.dataDir, serverName);
    configPath = first.configPath;
    if (first.created.length > 0) {
      process.stdout.write(
        `First run: created\n${first.created.map((p) => `  ${p}`).join("\n")}\n` +
          `Edit ${configPath} to change the server name, database or registration.\n` +
          `Once it runs, create an account: npm run create-account -- --config ${configPath} --username alice\n` +
          `(or start with --open-registration to let anyone register from a client)\n\n`,
      );
    }
  }
  configPath = resolve(configPath);

  const config = loadConfig({ path: configPath, overrides: flagOverrides(flags) });
  const logger = createLogger(config.logging);
  if (config.global.registration.open) {
    logger.warn("open registration is enabled: anyone who can reach this server can create an account");
  }
  const server = await startMonolith({ config, baseDir: dirname(configPath), logger });
  process.stdout.write(`dendrite-ts is serving ${config.global.server_name} at ${server.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`dendrite-ts failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
