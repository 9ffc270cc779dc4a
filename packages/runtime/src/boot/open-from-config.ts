/**
 * What every app does first with a loaded config: open the database (global or the component's
 * own), and the streams (JetStream when addresses are configured, else the embedded log in that
 * database). Relative paths in a config file are relative to the file's directory.
 */
import { isAbsolute, resolve } from "node:path";
import type { DendriteConfig, ComponentName } from "../config/index.js";
import { openDatabase, type Database, type DatabaseTarget } from "../database/database.js";
import { createEmbeddedStreams } from "../streams/embedded.js";
import { createJetStreamStreams } from "../streams/jetstream.js";
import type { Streams } from "../streams/types.js";

/** Resolves a path from the config against the directory of the config file (or the cwd). */
export function configPath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** The database a component uses: its own override when set, else the global one. */
export function databaseTarget(config: DendriteConfig, baseDir: string, component?: ComponentName): DatabaseTarget {
  const own = component ? config[component].database : undefined;
  const db = own && (own.connection_string || own.embedded) ? own : config.global.database;
  if (db.connection_string) return { connectionString: db.connection_string };
  const embedded = db.embedded ?? { data_dir: "./data/postgres" };
  return {
    embedded: {
      dataDir: configPath(baseDir, embedded.data_dir),
      ...(embedded.port !== undefined ? { port: embedded.port } : {}),
      ...(embedded.database !== undefined ? { database: embedded.database } : {}),
    },
  };
}

export async function openConfiguredDatabase(
  config: DendriteConfig,
  baseDir: string,
  component?: ComponentName,
): Promise<Database> {
  const own = component ? config[component].database : undefined;
  return openDatabase(databaseTarget(config, baseDir, component), {
    max: own?.max_connections ?? config.global.database.max_connections,
    applicationName: component ? `dendrite-ts ${component}` : "dendrite-ts",
  });
}

export async function openConfiguredStreams(config: DendriteConfig, db: Pick<Database, "sql" | "url">, name?: string): Promise<Streams> {
  const { addresses, topic_prefix } = config.global.jetstream;
  if (addresses.length > 0) {
    return createJetStreamStreams({ servers: addresses, prefix: topic_prefix, ...(name ? { name } : {}) });
  }
  return createEmbeddedStreams(db);
}
