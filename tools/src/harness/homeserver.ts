/**
 * Starts one of our homeservers for scenario tests, in the three ways people run it:
 *  - "monolith": `npm start`'s entry on a fresh data dir (embedded PostgreSQL + embedded log);
 *  - "monolith+services": the monolith on the external PostgreSQL and NATS JetStream;
 *  - "polylith": `polylith all` — a process per component, PostgreSQL + NATS.
 * The same scenarios run against each.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { COMPONENT_NAMES, defaultConfigYaml } from "@dendrite-ts/runtime";
import { openTestDatabase, testServices } from "@dendrite-ts/runtime/testing";
import { writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";
import { freePort, freePorts, REPO_ROOT, spawnEntry, waitForHttp, type SpawnedServer } from "./spawn-server";

const PUBLIC_COMPONENTS = ["CLIENTAPI", "SYNCAPI", "FEDERATIONAPI", "MEDIAAPI"];

/**
 * DENDRITE_* variables giving every polylith component free loopback ports, all different from
 * each other and from `alsoTaken` (ports the caller picked in the same batch).
 */
export async function polylithPortEnv(alsoTaken: readonly number[] = []): Promise<Record<string, string>> {
  const keys = COMPONENT_NAMES.map((name) => name.toUpperCase());
  const needed = keys.length + keys.filter((k) => PUBLIC_COMPONENTS.includes(k)).length;
  const taken = new Set(alsoTaken);
  const ports = (await freePorts(needed + alsoTaken.length)).filter((p) => !taken.has(p)).slice(0, needed);
  const env: Record<string, string> = {};
  for (const key of keys) {
    const p = ports.shift()!;
    env[`DENDRITE_${key}__LISTEN__INTERNAL`] = `127.0.0.1:${p}`;
    env[`DENDRITE_${key}__INTERNAL_URL`] = `http://127.0.0.1:${p}`;
    if (PUBLIC_COMPONENTS.includes(key)) env[`DENDRITE_${key}__LISTEN__PUBLIC`] = `127.0.0.1:${ports.shift()!}`;
  }
  return env;
}

export type HomeserverMode = "monolith" | "monolith+services" | "polylith";

export interface Homeserver {
  readonly mode: HomeserverMode;
  readonly baseUrl: string;
  readonly serverName: string;
  readonly process: SpawnedServer;
  /** The monolith's data directory (config, key, database), when it made one. */
  readonly dataDir?: string;
  /** kill -9 (crash tests) — the data stays. */
  crash(): Promise<void>;
  /** Start again on the same data after stop()/crash(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Which modes this machine can run: the external services ones need DENDRITE_TEST_* set. */
export function availableModes(): HomeserverMode[] {
  const s = testServices();
  return s.postgresUrl && s.natsUrl ? ["monolith", "monolith+services", "polylith"] : ["monolith"];
}

/** `root`: run the server of another checkout of this repo (default: this one). */
export async function startHomeserver(
  mode: HomeserverMode,
  opts: {
    root?: string;
    /** More DENDRITE_* config variables. */
    env?: Record<string, string>;
    /** false: return as soon as the process is spawned, before it answers (start-up tests). */
    awaitReady?: boolean;
  } = {},
): Promise<Homeserver> {
  const dir = mkdtempSync(join(tmpdir(), `dendrite-hs-`));
  chmodSync(dir, 0o755); // as root the embedded PostgreSQL's OS user must reach it
  const port = await freePort();
  const serverName = `localhost:${port}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DENDRITE_LOGGING__LEVEL: "warn",
    DENDRITE_GLOBAL__REGISTRATION__OPEN: "true",
    // Scenarios register and send faster than any person; rate limits have their own tests.
    DENDRITE_CLIENTAPI__RATE_LIMITING__ENABLED: "false",
    ...opts.env,
  };
  let closeDb = async () => {};
  let args: string[];
  let entry: string;

  if (mode === "monolith") {
    entry = "apps/monolith/src/main.ts";
    args = ["--data-dir", join(dir, "data"), "--http-port", String(port), "--server-name", serverName, "--open-registration"];
  } else {
    const services = testServices();
    if (!services.postgresUrl || !services.natsUrl) throw new Error(`${mode} needs DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL`);
    const db = await openTestDatabase();
    closeDb = () => db.close();
    const polylith = mode === "polylith";
    // The polylith layout of the file names an external database and NATS; the monolith reads it too.
    writeFileSync(join(dir, "dendrite.yaml"), (await configWriterOf(opts.root))({ serverName, polylith: true, dataDir: "." }));
    writeFileSync(join(dir, "matrix_key.pem"), writeSigningKeyPem(generateSigningKey("ed25519:t1")));
    Object.assign(env, {
      DENDRITE_GLOBAL__DATABASE__CONNECTION_STRING: db.url,
      DENDRITE_GLOBAL__JETSTREAM__ADDRESSES: JSON.stringify([services.natsUrl]),
      // Streams of different test servers on one NATS must not mix.
      DENDRITE_GLOBAL__JETSTREAM__TOPIC_PREFIX: `T${randomBytes(5).toString("hex")}`,
    });
    if (polylith) {
      entry = "apps/polylith/src/main.ts";
      args = ["all", "--config", join(dir, "dendrite.yaml")];
      env.DENDRITE_POLYLITH__LISTEN = `127.0.0.1:${port}`;
      Object.assign(env, await polylithPortEnv([port]));
    } else {
      entry = "apps/monolith/src/main.ts";
      args = ["--config", join(dir, "dendrite.yaml"), "--http-port", String(port)];
    }
  }

  let proc = spawnEntry(entry, args, env, opts.root);
  const ready = async () => {
    await waitForHttp(`${baseUrl}/_matrix/client/versions`, proc, 120_000);
    await waitForHttp(`${baseUrl}/_matrix/key/v2/server`, proc, 120_000);
    // In the polylith, clientapi answers before userapi and roomserver may: ask through both.
    await waitForHttp(`${baseUrl}/_matrix/client/v3/register/available?username=readiness`, proc, 120_000);
    const alias = encodeURIComponent(`#readiness:${serverName}`);
    await waitForHttp(`${baseUrl}/_matrix/client/v3/directory/room/${alias}`, proc, 120_000, (s) => s === 404);
  };
  if (opts.awaitReady !== false) await ready();
  return {
    mode,
    baseUrl,
    serverName,
    ...(mode === "monolith" ? { dataDir: join(dir, "data") } : {}),
    get process() {
      return proc;
    },
    async crash() {
      await proc.stop("SIGKILL");
    },
    async restart() {
      proc = spawnEntry(entry, args, env, opts.root);
      await ready();
    },
    async stop() {
      await proc.stop();
      await closeDb();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/**
 * The config file another checkout writes (compare-latency runs an older one, which refuses keys
 * it does not know): its own defaultConfigYaml, loaded from its source.
 */
async function configWriterOf(root: string | undefined): Promise<typeof defaultConfigYaml> {
  if (root === undefined || resolve(root) === resolve(REPO_ROOT)) return defaultConfigYaml;
  const mod = (await import(pathToFileURL(join(resolve(root), "packages/runtime/src/config/index.ts")).href)) as { defaultConfigYaml: typeof defaultConfigYaml };
  return mod.defaultConfigYaml;
}
