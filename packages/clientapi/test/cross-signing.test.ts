// Cross-signing as a client sets it up (cross_signing.yaml), with real ed25519 keys: a first
// upload of the three keys needs no user-interactive auth, replacing them does (401 with the
// password flow, then 200); keys the master key did not sign are refused and nothing is kept;
// /keys/query shows master and self-signing keys to everyone and the user-signing key to its
// owner only; a device signed with the self-signing key shows the signature in /keys/query,
// and a bad signature is a failure entry, not a failed request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeJsonSignature, encodeBase64, generateSigningKey, verifyJsonSignature, type SigningKey } from "@dendrite-ts/protocol";
import { call, expectError, register, SERVER, startServer, type TestServer, type User } from "./harness";

type Json = Record<string, unknown>;

let s: TestServer;
let alice: User;
let bob: User;
let carol: User;

const passwordAuth = (u: User, session: string) => ({
  type: "m.login.password",
  identifier: { type: "m.id.user", user: u.userId },
  password: u.password,
  session,
});

/** An ed25519 key pair named as cross-signing names keys: `ed25519:<public key>`. */
function newKey() {
  const key = generateSigningKey("ed25519:x");
  const pub = encodeBase64(key.publicKey);
  return { key, pub, keyId: `ed25519:${pub}` };
}
type Key = ReturnType<typeof newKey>;

function sign(obj: Json, userId: string, keyId: string, key: SigningKey): Json {
  const signatures = (obj.signatures ?? {}) as Record<string, Record<string, string>>;
  return { ...obj, signatures: { ...signatures, [userId]: { ...signatures[userId], [keyId]: computeJsonSignature(obj, key) } } };
}

function crossSigningKey(user: Pick<User, "userId">, usage: string, k: Key, master?: Key): Json {
  const json: Json = { user_id: user.userId, usage: [usage], keys: { [k.keyId]: k.pub } };
  return master ? sign(json, user.userId, master.keyId, master.key) : json;
}

/** The three keys, the others signed by the master. */
function keySet(user: Pick<User, "userId">) {
  const master = newKey();
  const self = newKey();
  const userSigning = newKey();
  return {
    master,
    self,
    userSigning,
    body: {
      master_key: crossSigningKey(user, "master", master),
      self_signing_key: crossSigningKey(user, "self_signing", self, master),
      user_signing_key: crossSigningKey(user, "user_signing", userSigning, master),
    },
  };
}

const query = async (who: User, users: User[]) => {
  const q = await call(s, "POST", "/keys/query", { device_keys: Object.fromEntries(users.map((u) => [u.userId, []])) }, who.token);
  expect(q.status, JSON.stringify(q.body)).toBe(200);
  return q.body;
};

beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  carol = await register(s, "carol");
});
afterAll(async () => {
  await s?.close();
});

describe("POST /keys/device_signing/upload", () => {
  const aliceKeys = keySet({ userId: `@alice:${SERVER}` });

  it("takes a first set of keys without user-interactive auth, and /keys/query shows them", async () => {
    const up = await call(s, "POST", "/keys/device_signing/upload", aliceKeys.body, alice.token);
    expect(up, JSON.stringify(up.body)).toEqual({ status: 200, body: {} });
    const byBob = await query(bob, [alice]);
    expect(byBob.master_keys).toEqual({ [alice.userId]: aliceKeys.body.master_key });
    expect(byBob.self_signing_keys).toEqual({ [alice.userId]: aliceKeys.body.self_signing_key });
    expect(byBob.user_signing_keys).toEqual({});
    const own = await query(alice, [alice]);
    expect(own.user_signing_keys).toEqual({ [alice.userId]: aliceKeys.body.user_signing_key });
    expect(verifyJsonSignature(own.self_signing_keys[alice.userId], alice.userId, aliceKeys.master.keyId, aliceKeys.master.key.publicKey)).toBe(true);
  });

  it("takes the same keys again without auth (a retried upload), under the unstable prefix too (matrix-js-sdk calls it there)", async () => {
    const up = await call(s, "POST", "/keys/device_signing/upload", aliceKeys.body, alice.token);
    expect(up).toEqual({ status: 200, body: {} });
    const unstable = await call(s, "POST", "/_matrix/client/unstable/keys/device_signing/upload", aliceKeys.body, alice.token);
    expect(unstable).toEqual({ status: 200, body: {} });
    const sigs = await call(s, "POST", "/_matrix/client/unstable/keys/signatures/upload", {}, alice.token);
    expect(sigs).toEqual({ status: 200, body: { failures: {} } });
  });

  it("asks for user-interactive auth to replace them, and replaces them once the password is given", async () => {
    const next = keySet(alice);
    const first = await call(s, "POST", "/keys/device_signing/upload", next.body, alice.token);
    expect(first.status).toBe(401);
    expect(first.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    expect(typeof first.body.session).toBe("string");
    expect((await query(bob, [alice])).master_keys[alice.userId]).toEqual(aliceKeys.body.master_key);
    const wrong = await call(s, "POST", "/keys/device_signing/upload", { ...next.body, auth: { ...passwordAuth(alice, first.body.session), password: "nope" } }, alice.token);
    expect(wrong.status).toBe(401);
    expect(wrong.body.errcode).toBe("M_FORBIDDEN");
    const done = await call(s, "POST", "/keys/device_signing/upload", { ...next.body, auth: passwordAuth(alice, first.body.session) }, alice.token);
    expect(done, JSON.stringify(done.body)).toEqual({ status: 200, body: {} });
    const byBob = await query(bob, [alice]);
    expect(byBob.master_keys[alice.userId]).toEqual(next.body.master_key);
    expect(byBob.self_signing_keys[alice.userId]).toEqual(next.body.self_signing_key);
    Object.assign(aliceKeys, next);
  });

  it("refuses a self-signing key the master key did not sign, and keeps nothing of the upload", async () => {
    const k = keySet(carol);
    const forged = crossSigningKey(carol, "self_signing", k.self, newKey());
    const up = await call(s, "POST", "/keys/device_signing/upload", { master_key: k.body.master_key, self_signing_key: forged }, carol.token);
    expectError(up, 400, "M_INVALID_SIGNATURE");
    const q = await query(carol, [carol]);
    expect([q.master_keys, q.self_signing_keys, q.user_signing_keys]).toEqual([{}, {}, {}]);
    expectError(await call(s, "POST", "/keys/device_signing/upload", { master_key: crossSigningKey(alice, "master", k.master) }, carol.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "POST", "/keys/device_signing/upload", { self_signing_key: k.body.self_signing_key }, carol.token), 400, "M_MISSING_PARAM");
    expectError(await call(s, "POST", "/keys/device_signing/upload", { master_key: { usage: ["master"] } }, carol.token), 400, "M_BAD_JSON");
    expectError(await call(s, "POST", "/keys/device_signing/upload", {}), 401, "M_MISSING_TOKEN");
  });
});

describe("POST /keys/signatures/upload", () => {
  let dave: User;
  let daveKeys: ReturnType<typeof keySet>;
  let device: Json;
  beforeAll(async () => {
    dave = await register(s, "dave");
    daveKeys = keySet(dave);
    expect((await call(s, "POST", "/keys/device_signing/upload", daveKeys.body, dave.token)).status).toBe(200);
    const key = generateSigningKey(`ed25519:${dave.deviceId}`);
    const unsigned = {
      user_id: dave.userId,
      device_id: dave.deviceId,
      algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
      keys: { [`ed25519:${dave.deviceId}`]: encodeBase64(key.publicKey), [`curve25519:${dave.deviceId}`]: encodeBase64(generateSigningKey("ed25519:c").publicKey) },
    };
    device = sign(unsigned, dave.userId, `ed25519:${dave.deviceId}`, key);
    expect((await call(s, "POST", "/keys/upload", { device_keys: device }, dave.token)).status).toBe(200);
  });

  it("a device signed with the self-signing key shows the signature in /keys/query", async () => {
    const signed = sign(device, dave.userId, daveKeys.self.keyId, daveKeys.self.key);
    const up = await call(s, "POST", "/keys/signatures/upload", { [dave.userId]: { [dave.deviceId]: signed } }, dave.token);
    expect(up, JSON.stringify(up.body)).toEqual({ status: 200, body: { failures: {} } });
    const got = (await query(bob, [dave])).device_keys[dave.userId][dave.deviceId];
    expect(got).toEqual({ ...signed, unsigned: {} });
    expect(verifyJsonSignature(got, dave.userId, daveKeys.self.keyId, daveKeys.self.key.publicKey)).toBe(true);
  });

  it("a bad signature is a failure entry, the request still 200", async () => {
    const forged = sign(device, dave.userId, daveKeys.self.keyId, newKey().key);
    const up = await call(s, "POST", "/keys/signatures/upload", { [dave.userId]: { [dave.deviceId]: forged, NOSUCH: forged } }, dave.token);
    expect(up.status).toBe(200);
    expect(up.body.failures[dave.userId][dave.deviceId].errcode).toBe("M_INVALID_SIGNATURE");
    expect(up.body.failures[dave.userId].NOSUCH.errcode).toBe("M_NOT_FOUND");
    expectError(await call(s, "POST", "/keys/signatures/upload", { [dave.userId]: { X: "not an object" } }, dave.token), 400, "M_BAD_JSON");
  });

  it("another user's master key signed with the user-signing key is shown to the signer only", async () => {
    const bobKeys = keySet(bob);
    expect((await call(s, "POST", "/keys/device_signing/upload", bobKeys.body, bob.token)).status).toBe(200);
    const signed = sign(bobKeys.body.master_key, dave.userId, daveKeys.userSigning.keyId, daveKeys.userSigning.key);
    const up = await call(s, "POST", "/keys/signatures/upload", { [bob.userId]: { [bobKeys.master.pub]: signed } }, dave.token);
    expect(up.body).toEqual({ failures: {} });
    expect((await query(dave, [bob])).master_keys[bob.userId]).toEqual(signed);
    expect((await query(carol, [bob])).master_keys[bob.userId]).toEqual(bobKeys.body.master_key);
  });
});
