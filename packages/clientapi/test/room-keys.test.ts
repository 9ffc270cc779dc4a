// Server-side key backups (/room_keys/*): versions, keys at the three scopes, the spec's
// replacement rules, writes to an old version, deletion, bad input, one user never seeing
// another's backups, and matrix-js-sdk's backup look-up against a live listener.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "matrix-js-sdk";
import { requestKeyBackupVersion } from "matrix-js-sdk/lib/rust-crypto/backup.js";
import { listen } from "@dendrite-ts/runtime";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const ROOM = "!backup:test.local";
const OTHER_ROOM = "!other:test.local";
const key = (fmi: number, fc: number, verified: boolean, tag: string) => ({
  first_message_index: fmi,
  forwarded_count: fc,
  is_verified: verified,
  session_data: { ephemeral: "e", ciphertext: tag, mac: "m" },
});

describe("server-side key backups", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  let carol: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
    carol = await register(s, "carol");
  });
  afterAll(() => s.close());

  const create = async (u: User, authData: object = { public_key: "pk" }) => {
    const r = await call(s, "POST", "/room_keys/version", { algorithm: ALGORITHM, auth_data: authData }, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.version as string;
  };
  const keysPath = (version: string, roomId?: string, sessionId?: string) =>
    `/room_keys/keys${roomId ? `/${enc(roomId)}` : ""}${sessionId ? `/${enc(sessionId)}` : ""}?version=${enc(version)}`;

  it("without a backup, GET /room_keys/version is 404 M_NOT_FOUND, as are a version's routes; it needs a token", async () => {
    expectError(await call(s, "GET", "/room_keys/version", undefined, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", "/room_keys/version/1", undefined, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", keysPath("1"), undefined, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", keysPath("1", ROOM, "s"), key(0, 0, false, "x"), carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", "/room_keys/version/1", { algorithm: ALGORITHM, auth_data: {} }, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "DELETE", "/room_keys/version/1", undefined, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", "/room_keys/version"), 401, "M_MISSING_TOKEN");
  });

  it("versions are increasing decimal strings; the current one is the newest; auth_data can be replaced, the algorithm not", async () => {
    const u = await register(s, "versions");
    const v1 = await create(u, { public_key: "one" });
    const v2 = await create(u, { public_key: "two" });
    expect([v1, v2]).toEqual(["1", "2"]);
    const current = await call(s, "GET", "/room_keys/version", undefined, u.token);
    expect(current.status).toBe(200);
    expect(current.body).toEqual({ algorithm: ALGORITHM, auth_data: { public_key: "two" }, count: 0, etag: expect.any(String), version: "2" });
    expect((await call(s, "GET", "/room_keys/version/1", undefined, u.token)).body).toMatchObject({ version: "1", auth_data: { public_key: "one" } });
    expectError(await call(s, "GET", "/room_keys/version/3", undefined, u.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", "/room_keys/version/not-a-number", undefined, u.token), 404, "M_NOT_FOUND");

    const signed = { public_key: "one", signatures: { [u.userId]: { "ed25519:DEV": "sig" } } };
    expect(await call(s, "PUT", "/room_keys/version/1", { algorithm: ALGORITHM, auth_data: signed, version: "1" }, u.token)).toEqual({ status: 200, body: {} });
    expect((await call(s, "GET", "/room_keys/version/1", undefined, u.token)).body.auth_data).toEqual(signed);
    // A different algorithm, or a body version that is not the path's: 400, nothing changes.
    expectError(await call(s, "PUT", "/room_keys/version/1", { algorithm: "m.other", auth_data: {} }, u.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", "/room_keys/version/1", { algorithm: ALGORITHM, auth_data: {}, version: "2" }, u.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", "/room_keys/version/1", { algorithm: ALGORITHM, auth_data: "x" }, u.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", "/room_keys/version/1", { auth_data: {} }, u.token), 400, "M_BAD_JSON");
    expect((await call(s, "GET", "/room_keys/version/1", undefined, u.token)).body.auth_data).toEqual(signed);
    expectError(await call(s, "PUT", "/room_keys/version/7", { algorithm: ALGORITHM, auth_data: {} }, u.token), 404, "M_NOT_FOUND");
  });

  it("creating needs an algorithm and an object auth_data (400 M_BAD_JSON, no version made)", async () => {
    const u = await register(s, "badcreate");
    for (const body of [{ auth_data: {} }, { algorithm: ALGORITHM }, { algorithm: ALGORITHM, auth_data: [] }, { algorithm: ALGORITHM, auth_data: "x" }, { algorithm: 5, auth_data: {} }]) {
      expectError(await call(s, "POST", "/room_keys/version", body, u.token), 400, "M_BAD_JSON");
    }
    expectError(await call(s, "GET", "/room_keys/version", undefined, u.token), 404, "M_NOT_FOUND");
    expect(await create(u)).toBe("1");
  });

  it("keys are stored and read at the three scopes; count and etag follow the keys", async () => {
    const u = await register(s, "keys");
    const v = await create(u);
    const empty = await call(s, "GET", `/room_keys/version/${v}`, undefined, u.token);
    expect(await call(s, "GET", keysPath(v), undefined, u.token)).toEqual({ status: 200, body: { rooms: {} } });

    const one = await call(s, "PUT", keysPath(v, ROOM, "s1"), key(0, 0, false, "s1"), u.token);
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body.count).toBe(1);
    expect(one.body.etag).not.toBe(empty.body.etag);
    const room = await call(s, "PUT", keysPath(v, ROOM), { sessions: { s2: key(1, 0, true, "s2") } }, u.token);
    expect(room.body.count).toBe(2);
    const all = await call(s, "PUT", keysPath(v), { rooms: { [OTHER_ROOM]: { sessions: { s3: key(2, 1, false, "s3") } } } }, u.token);
    expect(all.body.count).toBe(3);
    expect(new Set([one.body.etag, room.body.etag, all.body.etag]).size).toBe(3);

    const info = await call(s, "GET", "/room_keys/version", undefined, u.token);
    expect(info.body).toMatchObject({ count: 3, etag: all.body.etag, version: v });
    expect((await call(s, "GET", keysPath(v), undefined, u.token)).body).toEqual({
      rooms: {
        [ROOM]: { sessions: { s1: key(0, 0, false, "s1"), s2: key(1, 0, true, "s2") } },
        [OTHER_ROOM]: { sessions: { s3: key(2, 1, false, "s3") } },
      },
    });
    expect((await call(s, "GET", keysPath(v, ROOM), undefined, u.token)).body).toEqual({
      sessions: { s1: key(0, 0, false, "s1"), s2: key(1, 0, true, "s2") },
    });
    expect((await call(s, "GET", keysPath(v, ROOM, "s2"), undefined, u.token)).body).toEqual(key(1, 0, true, "s2"));
    // Nothing there: an empty room, a 404 session.
    expect(await call(s, "GET", keysPath(v, "!nothing:test.local"), undefined, u.token)).toEqual({ status: 200, body: { sessions: {} } });
    expectError(await call(s, "GET", keysPath(v, ROOM, "nope"), undefined, u.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", keysPath(v, OTHER_ROOM, "s1"), undefined, u.token), 404, "M_NOT_FOUND");
  });

  it("a session's stored key is replaced only by the spec's rules: is_verified, then first_message_index, then forwarded_count", async () => {
    const u = await register(s, "replace");
    const v = await create(u);
    const put = (k: ReturnType<typeof key>) => call(s, "PUT", keysPath(v, ROOM, "s"), k, u.token);
    const stored = async () => (await call(s, "GET", keysPath(v, ROOM, "s"), undefined, u.token)).body;
    let last = await put(key(5, 3, false, "a"));
    const expectKept = async (k: ReturnType<typeof key>, kept: ReturnType<typeof key>) => {
      const r = await put(k);
      expect(r.body, "an unchanged backup keeps its etag").toEqual({ etag: last.body.etag, count: 1 });
      expect(await stored()).toEqual(kept);
    };
    const expectReplaced = async (k: ReturnType<typeof key>) => {
      const r = await put(k);
      expect(r.body.count).toBe(1);
      expect(r.body.etag).not.toBe(last.body.etag);
      expect(await stored()).toEqual(k);
      last = r;
    };
    // Same verification: a higher index, or the same index and a higher count, is kept out.
    await expectKept(key(6, 0, false, "b"), key(5, 3, false, "a"));
    await expectKept(key(5, 4, false, "b"), key(5, 3, false, "a"));
    await expectKept(key(5, 3, false, "tie"), key(5, 3, false, "a"));
    await expectReplaced(key(5, 2, false, "lower-count"));
    await expectReplaced(key(4, 9, false, "lower-index"));
    // Verified beats unverified whatever the index and count; never the other way round.
    await expectReplaced(key(9, 9, true, "verified"));
    await expectKept(key(0, 0, false, "unverified"), key(9, 9, true, "verified"));
    await expectReplaced(key(8, 9, true, "verified-lower-index"));
  });

  it("keys go only to the current version: 403 M_WRONG_ROOM_KEYS_VERSION with current_version; unknown 404; version required", async () => {
    const u = await register(s, "wrongversion");
    const v1 = await create(u);
    expect((await call(s, "PUT", keysPath(v1, ROOM, "s"), key(0, 0, false, "x"), u.token)).status).toBe(200);
    const v2 = await create(u);
    for (const [path, body] of [
      [keysPath(v1, ROOM, "t"), key(0, 0, false, "y")],
      [keysPath(v1, ROOM), { sessions: { t: key(0, 0, false, "y") } }],
      [keysPath(v1), { rooms: { [ROOM]: { sessions: { t: key(0, 0, false, "y") } } } }],
    ] as const) {
      const r = await call(s, "PUT", path, body, u.token);
      expectError(r, 403, "M_WRONG_ROOM_KEYS_VERSION");
      expect(r.body.current_version).toBe(v2);
    }
    expect((await call(s, "GET", `/room_keys/version/${v1}`, undefined, u.token)).body.count).toBe(1);
    // Reading the older version still works.
    expect((await call(s, "GET", keysPath(v1, ROOM, "s"), undefined, u.token)).body).toEqual(key(0, 0, false, "x"));
    expectError(await call(s, "PUT", keysPath("9", ROOM, "s"), key(0, 0, false, "x"), u.token), 404, "M_NOT_FOUND");
    for (const method of ["GET", "PUT", "DELETE"] as const) {
      expectError(await call(s, method, `/room_keys/keys/${enc(ROOM)}/s`, method === "PUT" ? key(0, 0, false, "x") : undefined, u.token), 400, "M_MISSING_PARAM");
      expectError(await call(s, method, "/room_keys/keys", method === "PUT" ? { rooms: {} } : undefined, u.token), 400, "M_MISSING_PARAM");
    }
  });

  it("deleting keys (session, room, all) and versions: keys go, a deleted version is gone and deleting it again succeeds", async () => {
    const u = await register(s, "deletion");
    const v1 = await create(u);
    const v2 = await create(u);
    const put = await call(s, "PUT", keysPath(v2), {
      rooms: {
        [ROOM]: { sessions: { a: key(0, 0, false, "a"), b: key(0, 0, false, "b") } },
        [OTHER_ROOM]: { sessions: { c: key(0, 0, false, "c"), d: key(0, 0, false, "d") } },
      },
    }, u.token);
    expect(put.body.count).toBe(4);

    const one = await call(s, "DELETE", keysPath(v2, ROOM, "a"), undefined, u.token);
    expect(one.status).toBe(200);
    expect(one.body.count).toBe(3);
    expect(one.body.etag).not.toBe(put.body.etag);
    const room = await call(s, "DELETE", keysPath(v2, OTHER_ROOM), undefined, u.token);
    expect(room.body.count).toBe(1);
    expect((await call(s, "GET", keysPath(v2), undefined, u.token)).body).toEqual({ rooms: { [ROOM]: { sessions: { b: key(0, 0, false, "b") } } } });
    // Deleting what is not there changes nothing, etag included.
    const none = await call(s, "DELETE", keysPath(v2, ROOM, "zzz"), undefined, u.token);
    expect(none.body).toEqual({ count: 1, etag: room.body.etag });
    const all = await call(s, "DELETE", keysPath(v2), undefined, u.token);
    expect(all.body.count).toBe(0);
    expectError(await call(s, "DELETE", keysPath("9"), undefined, u.token), 404, "M_NOT_FOUND");

    expect((await call(s, "PUT", keysPath(v2, ROOM, "e"), key(0, 0, false, "e"), u.token)).body.count).toBe(1);
    expect(await call(s, "DELETE", `/room_keys/version/${v2}`, undefined, u.token)).toEqual({ status: 200, body: {} });
    expectError(await call(s, "GET", `/room_keys/version/${v2}`, undefined, u.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", keysPath(v2), undefined, u.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", keysPath(v2, ROOM, "e"), key(0, 0, false, "e"), u.token), 404, "M_NOT_FOUND");
    expect(await call(s, "DELETE", `/room_keys/version/${v2}`, undefined, u.token)).toEqual({ status: 200, body: {} });
    expect((await s.db.sql`SELECT count(*)::int AS n FROM keyserver.key_backup_keys WHERE version = ${Number(v2)} AND localpart = 'deletion'`)[0]!.n).toBe(0);
    // The newest remaining version is current again; a new one is numbered past the deleted.
    expect((await call(s, "GET", "/room_keys/version", undefined, u.token)).body.version).toBe(v1);
    expect(await create(u)).toBe("3");
    expectError(await call(s, "DELETE", "/room_keys/version/42", undefined, u.token), 404, "M_NOT_FOUND");
  });

  it("bad keys, room IDs and session IDs are 400 and store nothing", async () => {
    const u = await register(s, "badkeys");
    const v = await create(u);
    const bad = [
      { ...key(0, 0, false, "x"), is_verified: "yes" },
      { ...key(0, 0, false, "x"), first_message_index: -1 },
      { ...key(0, 0, false, "x"), forwarded_count: 1.5 },
      { ...key(0, 0, false, "x"), session_data: "ciphertext" },
      { first_message_index: 0, forwarded_count: 0, is_verified: false },
    ];
    for (const k of bad) {
      expectError(await call(s, "PUT", keysPath(v, ROOM, "s"), k, u.token), 400, "M_BAD_JSON");
      expectError(await call(s, "PUT", keysPath(v, ROOM), { sessions: { s: k } }, u.token), 400, "M_BAD_JSON");
      // One bad key spoils the batch: the good one beside it is not stored either.
      expectError(await call(s, "PUT", keysPath(v), { rooms: { [ROOM]: { sessions: { good: key(0, 0, false, "g"), s: k } } } }, u.token), 400, "M_BAD_JSON");
    }
    expectError(await call(s, "PUT", keysPath(v), { rooms: { "not-a-room": { sessions: { s: key(0, 0, false, "x") } } } }, u.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", keysPath(v), { rooms: { [ROOM]: { sessions: { "": key(0, 0, false, "x") } } } }, u.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", keysPath(v), { rooms: { [ROOM]: [] } }, u.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", keysPath(v), {}, u.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", keysPath(v, ROOM), {}, u.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", keysPath(v, "not-a-room", "s"), key(0, 0, false, "x"), u.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "GET", keysPath(v, "not-a-room"), undefined, u.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "DELETE", keysPath(v, "not-a-room"), undefined, u.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", keysPath(v, ROOM, "x".repeat(256)), key(0, 0, false, "x"), u.token), 400, "M_INVALID_PARAM");
    expect((await call(s, "GET", "/room_keys/version", undefined, u.token)).body).toMatchObject({ count: 0, version: v });
  });

  it("each user sees and changes only their own backups", async () => {
    const v = await create(alice, { public_key: "alice" });
    expect((await call(s, "PUT", keysPath(v, ROOM, "s"), key(0, 0, false, "alice's"), alice.token)).status).toBe(200);
    // Bob has none, and Alice's version number names nothing of his.
    expectError(await call(s, "GET", "/room_keys/version", undefined, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", `/room_keys/version/${v}`, undefined, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", keysPath(v), undefined, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", `/room_keys/version/${v}`, { algorithm: ALGORITHM, auth_data: { public_key: "bob" } }, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "DELETE", keysPath(v), undefined, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "DELETE", `/room_keys/version/${v}`, undefined, bob.token), 404, "M_NOT_FOUND");
    // His own backup gets his own numbering, and its writes and deletion leave hers alone.
    const bv = await create(bob, { public_key: "bob" });
    expect(bv).toBe("1");
    expect((await call(s, "PUT", keysPath(bv, ROOM, "s"), key(0, 0, true, "bob's"), bob.token)).body.count).toBe(1);
    expect((await call(s, "DELETE", `/room_keys/version/${bv}`, undefined, bob.token)).status).toBe(200);
    expect((await call(s, "GET", "/room_keys/version", undefined, alice.token)).body).toMatchObject({ version: v, count: 1, auth_data: { public_key: "alice" } });
    expect((await call(s, "GET", keysPath(v, ROOM, "s"), undefined, alice.token)).body).toEqual(key(0, 0, false, "alice's"));
  });

  it("matrix-js-sdk's backup look-up finds no backup (null), then the one created", async () => {
    const u = await register(s, "jssdk");
    const { url } = await listen(s.server, "127.0.0.1:0");
    const client = createClient({ baseUrl: url, accessToken: u.token, userId: u.userId, deviceId: u.deviceId });
    // What the SDK's backup manager calls: M_NOT_FOUND means "no backup", any other error throws.
    expect(await requestKeyBackupVersion(client.http)).toBeNull();
    const v = await create(u);
    expect(await requestKeyBackupVersion(client.http)).toMatchObject({ version: v, algorithm: ALGORITHM, count: 0 });
    expect(await requestKeyBackupVersion(client.http, v)).toMatchObject({ version: v });
    expect(await requestKeyBackupVersion(client.http, "99")).toBeNull();
    client.stopClient();
  });
});
