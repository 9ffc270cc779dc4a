/**
 * A real userapi and mediaapi on one fresh database, the mediaapi's files in a fresh temp
 * directory, its routes on a fastify server listening on loopback: tests speak real HTTP.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { closeServer, createEmbeddedStreams, createHttpServer, createLogger, listen, localClient, type Database, type HttpServer, type Streams } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { createUserapi, userapiContract, type Userapi } from "@dendrite-ts/userapi";
import { createMediaapi, type MediaapiDeps } from "../src";

export const SERVER = "media.test";

export interface User {
  userId: string;
  token: string;
}

export interface Harness {
  url: string;
  db: Database;
  basePath: string;
  /** A new account with a logged-in device. */
  user(localpart: string): Promise<User>;
  /** Every stored content file under base_path (paths relative to it). */
  storedFiles(): Promise<string[]>;
  close(): Promise<void>;
}

const quiet = () => createLogger({ level: "silent" }, { destination: new Writable({ write: (_c, _e, cb) => cb() }) });

export async function startHarness(opts: { maxFileSizeBytes?: number; now?: () => number; urlPreviews?: MediaapiDeps["urlPreviews"] } = {}): Promise<Harness> {
  const logger = quiet();
  const db = await openTestDatabase();
  const streams: Streams = await createEmbeddedStreams(db, { pollMs: 50 });
  const ua: Userapi = await createUserapi({ db, streams, serverName: SERVER, registration: { open: true, tokensEnabled: false }, passwordHashing: { logN: 10, r: 8, p: 1 }, logger });
  const userapi = localClient(userapiContract, ua.api);
  const basePath = await mkdtemp(join(tmpdir(), "mediaapi-test-"));
  const mediaapi = await createMediaapi({
    db,
    userapi,
    serverName: SERVER,
    basePath,
    maxFileSizeBytes: opts.maxFileSizeBytes ?? 1024 * 1024,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.urlPreviews ? { urlPreviews: opts.urlPreviews } : {}),
  });
  const server: HttpServer = createHttpServer({ logger });
  mediaapi.register(server);
  const { url } = await listen(server, "127.0.0.1:0");
  return {
    url,
    db,
    basePath,
    async user(localpart) {
      const made = (await userapi.createAccount({ body: { localpart, password: `pw-${localpart}`, login: { deviceId: "DEV" } } })).body as { userId: string; accessToken: string };
      return { userId: made.userId, token: made.accessToken };
    },
    async storedFiles() {
      const entries = await readdir(join(basePath, "content"), { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(basePath.length + 1));
    },
    async close() {
      await closeServer(server);
      await ua.close();
      await streams.close();
      await db.close();
      await rm(basePath, { recursive: true, force: true });
    },
  };
}

export interface Res {
  status: number;
  headers: Headers;
  bytes: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One request over HTTP; `token` in the Authorization header. */
export async function request(
  h: Harness,
  method: string,
  path: string,
  opts: { token?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  if (res.headers.get("content-type")?.startsWith("application/json") && bytes.length > 0) json = JSON.parse(bytes.toString("utf8"));
  return { status: res.status, headers: res.headers, bytes, json };
}

/** Uploads `body`; the mxc:// URI's media ID. */
export async function upload(h: Harness, user: User, body: Buffer | string, contentType?: string, filename?: string): Promise<string> {
  const q = filename !== undefined ? `?filename=${encodeURIComponent(filename)}` : "";
  const res = await request(h, "POST", `/_matrix/media/v3/upload${q}`, { token: user.token, body, ...(contentType ? { headers: { "content-type": contentType } } : {}) });
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${res.bytes.toString()}`);
  const uri = res.json.content_uri as string;
  const prefix = `mxc://${SERVER}/`;
  if (!uri.startsWith(prefix)) throw new Error(`upload: content_uri ${uri}`);
  return uri.slice(prefix.length);
}
