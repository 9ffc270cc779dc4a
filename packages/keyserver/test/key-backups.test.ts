// Server-side key backups through the contract, in-process and over HTTP (as the polylith's
// clientapi reaches it): the 403's current_version crosses the wire, versions stay distinct
// under concurrent creation, the replacement rules hold, and a deactivated account's backups go.
// clientapi's room-keys test drives the public endpoints.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyserverClient } from "../src/index";
import { SERVER, startKeyserver, type KeyserverUnderTest } from "./setup";
import type { MatrixError } from "@dendrite-ts/protocol";

let t: KeyserverUnderTest;
let clients: Record<string, KeyserverClient>;

beforeAll(async () => {
  t = await startKeyserver();
  clients = t.clients;
});
afterAll(() => t?.close());

/** The body of a successful call, typed (failures reject, so anything else is a bug). */
async function ok<R extends { status: number; body: unknown }>(p: Promise<R>): Promise<Extract<R, { status: 200 }>["body"]> {
  const r = await p;
  expect(r.status).toBe(200);
  return r.body as Extract<R, { status: 200 }>["body"];
}

/** Expects the promise to reject with a MatrixError of this errcode and status. */
async function expectMatrixError(p: Promise<unknown>, errcode: string, status: number): Promise<MatrixError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${errcode}`).toMatchObject({ errcode, status });
  return err as MatrixError;
}

/** Opens the pool's connections, so concurrent calls really overlap instead of queueing on connect. */
async function warmPool(): Promise<void> {
  await Promise.all(Array.from({ length: 10 }, () => t.db.sql`SELECT pg_sleep(0.05)`));
}

const ROOM = "!room:test.local";
const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const key = (fmi: number, fc: number, verified: boolean, tag: string) => ({
  first_message_index: fmi,
  forwarded_count: fc,
  is_verified: verified,
  session_data: { ciphertext: tag },
});

let users = 0;

describe.each(["local", "http"])("key backups (%s)", (transport) => {
  const h = { get client() { return clients[transport]!; } };
  // A user of their own per test: versions count from 1 for each.
  let userId: string;
  beforeEach(() => {
    userId = `@alice${++users}:${SERVER}`;
  });

  it("keys sent to an older version are 403 M_WRONG_ROOM_KEYS_VERSION naming the current one", async () => {
    const v1 = await ok(h.client.createKeyBackup({ body: { userId, algorithm: ALGORITHM, auth_data: { public_key: "a" } } }));
    const v2 = await ok(h.client.createKeyBackup({ body: { userId, algorithm: ALGORITHM, auth_data: { public_key: "b" } } }));
    const rooms = { [ROOM]: { sessions: { s: key(0, 0, false, "x") } } };
    const err = await expectMatrixError(h.client.storeBackupKeys({ body: { userId, version: v1.version, rooms } }), "M_WRONG_ROOM_KEYS_VERSION", 403);
    expect(err.extras.current_version).toBe(v2.version);
    await expectMatrixError(h.client.storeBackupKeys({ body: { userId, version: "99", rooms } }), "M_NOT_FOUND", 404);
    expect((await ok(h.client.queryKeyBackup({ body: { userId, version: v1.version } }))).count).toBe(0);
  });

  it("concurrent creations get distinct, increasing versions", async () => {
    await warmPool();
    const made = await Promise.all(
      Array.from({ length: 8 }, () => ok(h.client.createKeyBackup({ body: { userId, algorithm: ALGORITHM, auth_data: {} } }))),
    );
    expect(made.map((m) => Number(m.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await ok(h.client.queryKeyBackup({ body: { userId } }))).version).toBe("8");
  });

  it("a stored key is replaced only by a better one: verified, then lower first_message_index, then lower forwarded_count", async () => {
    const { version } = await ok(h.client.createKeyBackup({ body: { userId, algorithm: ALGORITHM, auth_data: {} } }));
    const put = (k: ReturnType<typeof key>) => ok(h.client.storeBackupKeys({ body: { userId, version, rooms: { [ROOM]: { sessions: { s: k } } } } }));
    const stored = async () => (await ok(h.client.queryBackupKeys({ body: { userId, version } }))).rooms[ROOM]!.sessions.s!.session_data.ciphertext;
    await put(key(5, 3, false, "first"));
    // Verified wins even with a worse index and count.
    await put(key(9, 9, true, "verified"));
    expect(await stored()).toBe("verified");
    // Unverified never replaces verified, whatever its index.
    await put(key(0, 0, false, "unverified-better-index"));
    expect(await stored()).toBe("verified");
    await put(key(4, 9, true, "lower-index"));
    expect(await stored()).toBe("lower-index");
    await put(key(4, 2, true, "lower-count"));
    expect(await stored()).toBe("lower-count");
    // A tie keeps the old key, and the etag with it.
    const before = await ok(h.client.queryKeyBackup({ body: { userId, version } }));
    const tie = await put(key(4, 2, true, "tie"));
    expect(await stored()).toBe("lower-count");
    expect(tie).toEqual({ etag: before.etag, count: 1 });
  });

  it("deleting a user's backups removes every version and key, and only theirs", async () => {
    const other = `@other${++users}:${SERVER}`;
    const rooms = { [ROOM]: { sessions: { s: key(0, 0, false, "x") } } };
    for (const u of [userId, other]) {
      const { version } = await ok(h.client.createKeyBackup({ body: { userId: u, algorithm: ALGORITHM, auth_data: {} } }));
      await ok(h.client.storeBackupKeys({ body: { userId: u, version, rooms } }));
    }
    await ok(h.client.createKeyBackup({ body: { userId, algorithm: ALGORITHM, auth_data: {} } }));
    await ok(h.client.performDeleteKeyBackups({ body: { userId } }));
    await expectMatrixError(h.client.queryKeyBackup({ body: { userId } }), "M_NOT_FOUND", 404);
    await expectMatrixError(h.client.queryBackupKeys({ body: { userId, version: "1" } }), "M_NOT_FOUND", 404);
    // No row is left behind, not even a deleted version's.
    const localpart = userId.slice(1, userId.indexOf(":"));
    const [left] = await t.db.sql`SELECT
      (SELECT count(*) FROM keyserver.key_backup_versions WHERE localpart = ${localpart})::int AS versions,
      (SELECT count(*) FROM keyserver.key_backup_keys WHERE localpart = ${localpart})::int AS keys`;
    expect(left).toEqual({ versions: 0, keys: 0 });
    expect((await ok(h.client.queryKeyBackup({ body: { userId: other } }))).count).toBe(1);
    // Again (nothing left) succeeds; a user of another server is refused.
    await ok(h.client.performDeleteKeyBackups({ body: { userId } }));
    await expectMatrixError(h.client.performDeleteKeyBackups({ body: { userId: "@x:elsewhere.example" } }), "M_INVALID_PARAM", 400);
  });
});
