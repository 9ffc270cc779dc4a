// One server per test file: createHttpServer + clientapi routes, wired to REAL userapi and
// roomserver instances (their own schemas in one fresh database, embedded streams, localClient).
import { generateSigningKey } from "@dendrite-ts/protocol";
import {
  createEmbeddedStreams,
  createHttpServer,
  createLogger,
  localClient,
  openTestDatabase,
  type Database,
  type HttpServer,
  type Streams,
} from "@dendrite-ts/runtime";
import { createRoomserver, roomserverContract, type RoomserverClient } from "@dendrite-ts/roomserver";
import { createUserapi, userapiContract, type RegistrationConfig, type UserapiClient } from "@dendrite-ts/userapi";
import { createEduserver, eduserverContract, type EduserverClient } from "@dendrite-ts/eduserver";
import { createKeyserver, keyserverContract, type KeyserverClient } from "@dendrite-ts/keyserver";
import { expect } from "vitest";
import { createClientapi, type ClientapiConfig } from "../src/index";

export const SERVER = "test.local";

export interface TestServer {
  server: HttpServer;
  db: Database;
  userapi: UserapiClient;
  roomserver: RoomserverClient;
  eduserver: EduserverClient;
  keyserver: KeyserverClient;
  streams: Streams;
  /** Replaces clientapi and its HTTP server with new ones over the same database. */
  restartClientapi(): Promise<void>;
  /** Another clientapi (a second process, say) over the same userapi and roomserver; closed with the server. */
  anotherClientapi(): Promise<TestServer>;
  close(): Promise<void>;
}

export interface StartOptions {
  registration?: Partial<RegistrationConfig>;
  config?: Partial<ClientapiConfig>;
  now?: () => number;
  /** userapi keeps notifications (consumes the room and receipt streams). */
  notifications?: boolean;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const logger = createLogger({ level: "silent", format: "json" });
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 50 });
  const userapiImpl = await createUserapi({
    db,
    streams,
    serverName: SERVER,
    registration: { open: true, tokensEnabled: false, ...opts.registration },
    passwordHashing: { logN: 10, r: 8, p: 1 },
    // The roomserver is made next: asked through a reference until then.
    ...(opts.notifications ? { notifications: { streams, roomserver: { queryStateAfterEvents: (a) => roomserver.queryStateAfterEvents(a) } } } : {}),
  });
  const roomserverImpl = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:test"), logger });
  const userapi = localClient(userapiContract, userapiImpl.api);
  const roomserver = localClient(roomserverContract, roomserverImpl.api);
  const eduserverImpl = await createEduserver({ streams });
  const eduserver = localClient(eduserverContract, eduserverImpl.api);
  const keyserverImpl = await createKeyserver({ db, streams, serverName: SERVER });
  const keyserver = localClient(keyserverContract, keyserverImpl.api);
  // A fresh clientapi (nothing in memory carried over) on a fresh HTTP server.
  const makeServer = async () => {
    const clientapi = await createClientapi({
      userapi,
      roomserver,
      eduserver,
      keyserver,
      db,
      serverName: SERVER,
      config: {
        defaultRoomVersion: "12",
        rateLimiting: { enabled: false, threshold: 5, cooloffMs: 500 },
        ...opts.config,
      },
      logger,
      ...(opts.now ? { now: opts.now } : {}),
    });
    const server = createHttpServer({ logger });
    clientapi.register(server);
    await server.ready();
    return server;
  };
  const server = await makeServer();
  const others: HttpServer[] = [];
  const t: TestServer = {
    server,
    db,
    userapi,
    roomserver,
    eduserver,
    keyserver,
    streams,
    async restartClientapi() {
      await t.server.close();
      t.server = await makeServer();
    },
    async anotherClientapi() {
      const other = await makeServer();
      others.push(other);
      return { ...t, server: other };
    },
    close: async () => {
      for (const other of others) await other.close();
      await t.server.close();
      await eduserverImpl.close();
      await keyserverImpl.close();
      await roomserverImpl.close();
      await userapiImpl.close();
      await streams.close();
      await db.close();
    },
  };
  return t;
}

export interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP request through fastify's inject; `token` goes in the Authorization header. */
export async function call(
  s: TestServer,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  token?: string,
): Promise<Res> {
  const url = path.startsWith("/_") ? path : `/_matrix/client/v3${path}`;
  const res = await s.server.inject({
    method,
    url,
    ...(body !== undefined ? { payload: body as object } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

export function expectError(res: Res, status: number, errcode: string): void {
  expect({ status: res.status, errcode: res.body?.errcode }, JSON.stringify(res.body)).toEqual({ status, errcode });
}

export interface User {
  userId: string;
  token: string;
  deviceId: string;
  password: string;
}

/** Registers through the dummy flow (two requests, as a client does). */
export async function register(s: TestServer, username: string, password = `pw-${username}`): Promise<User> {
  const first = await call(s, "POST", "/register", { username, password });
  expect(first.status).toBe(401);
  const done = await call(s, "POST", "/register", {
    username,
    password,
    auth: { type: "m.login.dummy", session: first.body.session },
  });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return { userId: done.body.user_id, token: done.body.access_token, deviceId: done.body.device_id, password };
}

export const enc = encodeURIComponent;
