// Server-side key backups through the contract, in-process and over HTTP (as the polylith's
// clientapi reaches it): the 403's current_version crosses the wire, versions stay distinct
// under concurrent creation, and the replacement rules hold. clientapi's room-keys test drives
// the public endpoints.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, startUserapi, TRANSPORTS, warmPool, type Harness } from "./harness";

const ROOM = "!room:test.local";
const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const key = (fmi: number, fc: number, verified: boolean, tag: string) => ({
  first_message_index: fmi,
  forwarded_count: fc,
  is_verified: verified,
  session_data: { ciphertext: tag },
});

describe.each(TRANSPORTS)("key backups (%s)", (transport) => {
  let h: Harness;
  let userId: string;
  beforeEach(async () => {
    h = await startUserapi(transport);
    ({ userId } = await registerAlice(h.client));
  });
  afterEach(() => h.close());

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
    await warmPool(h);
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
});
