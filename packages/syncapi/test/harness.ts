/**
 * A real roomserver, userapi and syncapi on one fresh database with the embedded streams; the
 * syncapi's routes on a fastify server driven with inject(). No mocks: rooms are made and
 * events sent through the roomserver contract, account data through userapi's.
 */
import { Writable } from "node:stream";
import { generateSigningKey } from "@dendrite-ts/protocol";
import {
  closeServer,
  createEmbeddedStreams,
  createHttpServer,
  createLogger,
  httpClient,
  listen,
  localClient,
  mountContract,
  type Database,
  type HttpServer,
  type Streams,
} from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { createRoomserver, roomserverContract, type Roomserver, type RoomserverClient } from "@dendrite-ts/roomserver";
import { createUserapi, userapiContract, type Userapi, type UserapiClient } from "@dendrite-ts/userapi";
import { createKeyserver, keyserverContract, type Keyserver, type KeyserverClient } from "@dendrite-ts/keyserver";
import { createEduserver, eduserverContract, type Eduserver, type EduserverClient } from "@dendrite-ts/eduserver";
import { expect } from "vitest";
import { createSyncapi, type Syncapi } from "../src";

export const SERVER = "test.local";

export interface User {
  userId: string;
  deviceId: string;
  token: string;
}

export interface Harness {
  db: Database;
  streams: Streams;
  rs: Roomserver;
  roomserver: RoomserverClient;
  ua: Userapi;
  ks: Keyserver;
  keyserver: KeyserverClient;
  edu: Eduserver;
  eduserver: EduserverClient;
  userapi: UserapiClient;
  syncapi: Syncapi;
  server: HttpServer;
  /** A new account with a logged-in device. */
  user(localpart: string): Promise<User>;
  /** Another device (and token) for an existing user. */
  device(user: User, deviceId: string): Promise<User>;
  get(user: User | undefined, path: string, query?: Record<string, string | number | boolean>): Promise<{ status: number; body: any }>;
  post(user: User, path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** Waits until the syncapi has stored these events (the streams are asynchronous). */
  waitForEvents(...eventIds: string[]): Promise<void>;
  /** Waits until the syncapi recorded the invite (after its member event). */
  waitForInvite(eventId: string): Promise<void>;
  /** Waits until the syncapi holds account data of this type for the user. */
  waitForAccountData(userId: string, type: string, match?: (content: any) => boolean): Promise<void>;
  /** Replaces the syncapi with a new instance on the same database and streams (a restart). */
  restartSyncapi(): Promise<void>;
  close(): Promise<void>;
}

const quiet = () => createLogger({ level: "silent" }, { destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function poll(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * `http`: the syncapi reaches roomserver and userapi over HTTP (mountContract + httpClient), as in
 * the polylith. `alone`: the syncapi is told it is the only one on the database (the monolith).
 * `streams`: the log to use instead of the embedded one (JetStream).
 */
export async function startHarness(
  transport: "local" | "http" = "local",
  opts: { alone?: boolean; streams?: (db: Database) => Promise<Streams> } = {},
): Promise<Harness> {
  const db = await openTestDatabase();
  const streams = await (opts.streams ?? ((d: Database) => createEmbeddedStreams(d, { pollMs: 20 })))(db);
  const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:test") });
  const ua = await createUserapi({ db, streams, serverName: SERVER, registration: { open: true, tokensEnabled: false } });
  const ks = await createKeyserver({ db, streams, serverName: SERVER });
  const edu = await createEduserver({ streams });
  const logger = quiet();
  let roomserver: RoomserverClient = localClient(roomserverContract, rs.api);
  let userapi: UserapiClient = localClient(userapiContract, ua.api);
  let keyserver: KeyserverClient = localClient(keyserverContract, ks.api);
  let eduserver: EduserverClient = localClient(eduserverContract, edu.api);
  let internal: HttpServer | undefined;
  if (transport === "http") {
    internal = createHttpServer({ logger });
    await mountContract(internal, roomserverContract, rs.api);
    await mountContract(internal, userapiContract, ua.api, { prefix: "/_dendrite/userapi/v1" });
    await mountContract(internal, keyserverContract, ks.api);
    await mountContract(internal, eduserverContract, edu.api);
    const { url } = await listen(internal, "127.0.0.1:0");
    roomserver = httpClient(roomserverContract, url);
    userapi = httpClient(userapiContract, `${url}/_dendrite/userapi/v1`);
    keyserver = httpClient(keyserverContract, url);
    eduserver = httpClient(eduserverContract, url);
  }
  const start = async () => {
    const syncapi = await createSyncapi({ db, streams, roomserver, userapi, keyserver, eduserver, serverName: SERVER, logger, alone: opts.alone === true });
    const server = createHttpServer({ logger });
    syncapi.register(server);
    await server.ready();
    return { syncapi, server };
  };
  let current = await start();

  const h: Harness = {
    db,
    streams,
    rs,
    roomserver,
    ua,
    ks,
    keyserver,
    edu,
    eduserver,
    userapi,
    get syncapi() {
      return current.syncapi;
    },
    get server() {
      return current.server;
    },
    async user(localpart) {
      const { body } = await userapi.createAccount({ body: { localpart, login: { deviceId: "DEV1" } } });
      const b = body as { userId: string; deviceId: string; accessToken: string };
      return { userId: b.userId, deviceId: b.deviceId, token: b.accessToken };
    },
    async device(user, deviceId) {
      const { body } = await userapi.createSession({ body: { userId: user.userId, deviceId } });
      const b = body as { userId: string; deviceId: string; accessToken: string };
      return { userId: b.userId, deviceId: b.deviceId, token: b.accessToken };
    },
    async get(user, path, query) {
      const res = await current.server.inject({
        method: "GET",
        url: path,
        ...(query ? { query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) } : {}),
        headers: user ? { authorization: `Bearer ${user.token}` } : {},
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
    async post(user, path, body) {
      const res = await current.server.inject({ method: "POST", url: path, payload: body as object, headers: { authorization: `Bearer ${user.token}` } });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
    async waitForEvents(...eventIds) {
      await rs.flushOutputs();
      await poll(`events ${eventIds.join(", ")}`, async () => {
        const rows = await db.sql`SELECT count(*)::int AS n FROM syncapi.output_room_events WHERE event_id IN ${db.sql(eventIds)}`;
        return rows[0]!.n === eventIds.length;
      });
    },
    async waitForInvite(eventId) {
      await rs.flushOutputs();
      await poll(`invite ${eventId}`, async () => (await db.sql`SELECT 1 FROM syncapi.invites WHERE event_id = ${eventId}`).length > 0);
    },
    async waitForAccountData(userId, type, match = () => true) {
      await poll(`account data ${type}`, async () => {
        const rows = await db.sql`SELECT content FROM syncapi.account_data WHERE user_id = ${userId} AND type = ${type}`;
        return rows.some((r) => match(r.content));
      });
    },
    async restartSyncapi() {
      await current.syncapi.close();
      await current.server.close();
      current = await start();
    },
    async close() {
      await current.syncapi.close();
      await current.server.close();
      if (internal) await closeServer(internal);
      await rs.close();
      await ua.close();
      await ks.close();
      await edu.close();
      await streams.close();
      await db.close();
    },
  };
  return h;
}

/** Sends a message as `user` and returns its event ID. */
export async function send(h: Harness, user: User, roomId: string, body: string, extra: { txnId?: string; type?: string; content?: Record<string, unknown> } = {}): Promise<string> {
  const { body: res } = await h.roomserver.performSendEvent({
    body: {
      sender: user.userId,
      roomId,
      type: extra.type ?? "m.room.message",
      content: extra.content ?? { msgtype: "m.text", body },
      ...(extra.txnId ? { transactionId: { deviceId: user.deviceId, transactionId: extra.txnId } } : {}),
    },
  });
  return res.eventId;
}

export async function setState(h: Harness, user: User, roomId: string, type: string, content: Record<string, unknown>, stateKey = ""): Promise<string> {
  const { body } = await h.roomserver.performSendEvent({ body: { sender: user.userId, roomId, type, stateKey, content } });
  return body.eventId;
}

export async function createRoom(h: Harness, creator: User, opts: { preset?: "private_chat" | "public_chat"; name?: string; initialState?: { type: string; stateKey?: string; content: Record<string, unknown> }[] } = {}): Promise<string> {
  const { body } = await h.roomserver.performCreateRoom({ body: { creator: creator.userId, preset: opts.preset ?? "public_chat", ...opts } });
  // Tests compare against "everything so far": let the syncapi hold the whole creation first.
  const latest = await h.roomserver.queryLatestEventsAndState({ body: { roomId: body.roomId, stateToFetch: [] } });
  await h.waitForEvents(...latest.body.latestEventIds);
  return body.roomId;
}

export async function join(h: Harness, user: User, roomId: string): Promise<string> {
  const { body } = await h.roomserver.performJoin({ body: { userId: user.userId, roomIdOrAlias: roomId } });
  return body.eventId;
}

/**
 * GET /sync; fails the test on anything but 200. With set_presence=offline unless the test says
 * otherwise: a sync that marked its user online would wake every room-mate's long-poll with
 * m.presence, news only presence.test.ts is about.
 */
export async function sync(h: Harness, user: User, query: Record<string, string | number | boolean> = {}): Promise<any> {
  const res = await h.get(user, "/_matrix/client/v3/sync", { set_presence: "offline", ...query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Event IDs of a room's timeline in a sync response (join or leave). */
export function timelineIds(res: any, roomId: string, section: "join" | "leave" = "join"): string[] {
  return (res.rooms[section][roomId]?.timeline.events ?? []).map((e: any) => e.event_id);
}

export function stateOf(res: any, roomId: string, section: "join" | "leave" = "join"): any[] {
  return res.rooms[section][roomId]?.state.events ?? [];
}
