/**
 * Test federations on loopback: each node is our own serverkeyapi with its own name, key and
 * database, serving the public key routes on 127.0.0.1, reachable by name via server_name_map.
 */
import { generateSigningKey, type SigningKey } from "@dendrite-ts/protocol";
import {
  closeServer,
  createHttpServer,
  createLogger,
  listen,
  localClient,
  openTestDatabase,
  type Database,
  type HttpServer,
} from "@dendrite-ts/runtime";
import { createServerKeyApi, registerKeyRoutes, serverKeyContract, type ServerKeyApi, type ServerKeyApiConfig } from "../src/index";
import type { OldVerifyKey } from "../src/index";

export const logger = createLogger({ level: "silent" as never });

/** A clock tests move by hand. */
export function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

export interface Node {
  name: string;
  key: SigningKey;
  api: ServerKeyApi;
  db: Database;
  http: HttpServer;
  url: string;
}

export interface NodeOptions {
  name: string;
  /** Shared by the whole federation; filled in as nodes start (discovery reads it per request). */
  map: Record<string, string>;
  key?: SigningKey;
  oldKeys?: OldVerifyKey[];
  trusted?: ServerKeyApiConfig["trusted_key_servers"];
  now?: () => number;
  validityMs?: number;
  minRefetchIntervalMs?: number;
  fetch?: typeof globalThis.fetch;
  tlsCaFile?: string;
  /** Replace the public routes (to serve tampered responses). */
  routes?: (server: HttpServer, node: { api: ServerKeyApi; key: SigningKey }) => void;
}

export async function startNode(o: NodeOptions): Promise<Node> {
  const key = o.key ?? generateSigningKey("ed25519:" + o.name.replace(/[^A-Za-z0-9_]/g, "_"));
  const db = await openTestDatabase();
  const api = await createServerKeyApi({
    db,
    config: {
      server_name: o.name,
      key_validity_period: o.validityMs ?? 3_600_000,
      trusted_key_servers: o.trusted ?? [],
      federation: { server_name_map: o.map, ...(o.tlsCaFile ? { tls_ca_file: o.tlsCaFile } : {}) },
    },
    signingKey: key,
    oldKeys: o.oldKeys ?? [],
    logger,
    ...(o.now ? { now: o.now } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
    minRefetchIntervalMs: o.minRefetchIntervalMs ?? 0,
    fetchTimeoutMs: 5_000,
  });
  const http = createHttpServer({ logger });
  if (o.routes) o.routes(http, { api, key });
  else registerKeyRoutes(http, localClient(serverKeyContract, api));
  const { url } = await listen(http, "127.0.0.1:0");
  o.map[o.name] = url;
  return { name: o.name, key, api, db, http, url };
}

export async function stopNode(n: Node | undefined): Promise<void> {
  if (!n) return;
  await closeServer(n.http, 1000);
  await n.db.close();
}
