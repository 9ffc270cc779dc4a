// One fresh userapi per test: its own database, the embedded streams, a movable clock, and a
// client over either transport (localClient, or httpClient against mountContract).
import { Writable } from "node:stream";
import {
  closeServer,
  createEmbeddedStreams,
  createHttpServer,
  createLogger,
  httpClient,
  listen,
  localClient,
  mountContract,
  openTestDatabase,
  type Database,
  type Streams,
} from "@dendrite-ts/runtime";
import { MatrixError } from "@dendrite-ts/protocol";
import { expect } from "vitest";
import { createUserapi, userapiContract, type RegistrationConfig, type UserapiClient } from "../src/index";

export const SERVER = "test.local";
export const TRANSPORTS = ["local", "http"] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface Harness {
  client: UserapiClient;
  db: Database;
  streams: Streams;
  clock: { now: number };
  close(): Promise<void>;
}

export async function startUserapi(
  transport: Transport,
  registration: Partial<RegistrationConfig> = {},
): Promise<Harness> {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 50 });
  const clock = { now: Date.now() };
  const userapi = await createUserapi({
    db,
    streams,
    serverName: SERVER,
    registration: { open: true, tokensEnabled: false, ...registration },
    passwordHashing: { logN: 10, r: 8, p: 1 }, // fast for tests; production uses the default
    now: () => clock.now,
  });
  let client: UserapiClient;
  let stopServer = async () => {};
  if (transport === "local") {
    client = localClient(userapiContract, userapi.api);
  } else {
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    const server = createHttpServer({ logger: createLogger({ level: "warn" }, { destination: quiet }) });
    await mountContract(server, userapiContract, userapi.api);
    const { url } = await listen(server, "127.0.0.1:0");
    client = httpClient(userapiContract, url);
    stopServer = () => closeServer(server);
  }
  return {
    client,
    db,
    streams,
    clock,
    close: async () => {
      await stopServer();
      await userapi.close();
      await streams.close();
      await db.close();
    },
  };
}

/** Opens the pool's connections, so concurrent calls really overlap instead of queueing on connect. */
export async function warmPool(h: Harness): Promise<void> {
  await Promise.all(Array.from({ length: 10 }, () => h.db.sql`SELECT pg_sleep(0.05)`));
}

/** Expects the promise to reject with a MatrixError of this errcode (and status, when given). */
export async function expectMatrixError(p: Promise<unknown>, errcode: string, status?: number): Promise<MatrixError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${errcode}`).toBeInstanceOf(Error);
  const m = err as MatrixError;
  expect({ errcode: m.errcode, message: m.message }).toMatchObject({ errcode });
  if (status !== undefined) expect(m.status).toBe(status);
  return m;
}

/** The body of a successful call, typed (failures reject, so anything else is a bug). */
export async function ok<R extends { status: number; body: unknown }>(p: Promise<R>): Promise<Extract<R, { status: 200 }>["body"]> {
  const r = await p;
  expect(r.status).toBe(200);
  return r.body as Extract<R, { status: 200 }>["body"];
}

/** Registers alice (password "pw-alice") and logs her in. */
export async function registerAlice(client: UserapiClient, localpart = "alice") {
  const body = await ok(client.createAccount({ body: { localpart, password: `pw-${localpart}`, login: { displayName: "phone" } } }));
  return { userId: body.userId, deviceId: body.deviceId!, accessToken: body.accessToken! };
}
