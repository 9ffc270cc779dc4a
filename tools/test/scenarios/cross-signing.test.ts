/**
 * Cross-signing through matrix-js-sdk's own calls (uploadDeviceSigningKeys, uploadKeySignatures,
 * downloadKeysForUsers — the HTTP side of Element's "set up secure backup / verify this
 * device"), in every mode this machine can start: a first upload needs no user-interactive
 * auth, a replacement asks for it and then goes through with the password; another user sees
 * the keys and, sharing a room, finds the uploader in /sync's device_lists.changed after the
 * upload and after the uploader signs their device.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeJsonSignature, encodeBase64, generateSigningKey, signJson, verifyJsonSignature, type SigningKey } from "@dendrite-ts/protocol";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { registerUser, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

function keySet(userId: string) {
  const [master, self, user] = [newKey(), newKey(), newKey()];
  const of = (usage: string, k: Key, signed: boolean) => {
    const json = { user_id: userId, usage: [usage], keys: { [k.keyId]: k.pub } };
    return signed ? sign(json, userId, master.keyId, master.key) : json;
  };
  return {
    master,
    self,
    keys: { master_key: of("master", master, false), self_signing_key: of("self_signing", self, true), user_signing_key: of("user_signing", user, true) },
  };
}

describe.each(availableModes())("cross-signing (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  const tag = Math.random().toString(36).slice(2, 8);
  const call = (method: string, path: string, body: object | undefined, user: TestUser) => clientApiCall(hs.baseUrl, method, path, body, user.accessToken);
  async function syncUntil(user: TestUser, since: string, check: (res: Json) => boolean): Promise<Json> {
    let last: Json | undefined;
    for (let i = 0; i < 60; i++) {
      last = (await call("GET", `/sync?since=${encodeURIComponent(since)}&timeout=500`, undefined, user)).json as Json;
      if (check(last)) return last;
    }
    throw new Error(`never came: ${JSON.stringify(last?.device_lists)}`);
  }

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    [alice, bob] = await Promise.all([registerUser(hs.baseUrl, `alice${tag}`), registerUser(hs.baseUrl, `bob${tag}`)]);
    const room = await call("POST", "/createRoom", { preset: "private_chat", invite: [bob.userId] }, alice);
    expect((await call("POST", `/join/${encodeURIComponent(room.json.room_id as string)}`, {}, bob)).status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  it("uploads keys, signs a device, and the other user sees both and is told in device_lists", async () => {
    const bob0 = (await call("GET", "/sync", undefined, bob)).json as { next_batch: string };
    const first = keySet(alice.userId);
    await alice.client.uploadDeviceSigningKeys(undefined, first.keys as never);
    const bob1 = await syncUntil(bob, bob0.next_batch, (r) => r.device_lists?.changed?.includes(alice.userId));

    const deviceKey = generateSigningKey(`ed25519:${alice.deviceId}`);
    const device = signJson(
      {
        user_id: alice.userId,
        device_id: alice.deviceId,
        algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        keys: { [`curve25519:${alice.deviceId}`]: encodeBase64(generateSigningKey("ed25519:c").publicKey), [`ed25519:${alice.deviceId}`]: encodeBase64(deviceKey.publicKey) },
      },
      alice.userId,
      deviceKey,
    );
    expect((await call("POST", "/keys/upload", { device_keys: device }, alice)).status).toBe(200);
    const bob2 = await syncUntil(bob, bob1.next_batch as string, (r) => r.device_lists?.changed?.includes(alice.userId));
    const res = await alice.client.uploadKeySignatures({ [alice.userId]: { [alice.deviceId]: sign(device, alice.userId, first.self.keyId, first.self.key) } } as never);
    expect(res.failures ?? {}).toEqual({});
    await syncUntil(bob, bob2.next_batch as string, (r) => r.device_lists?.changed?.includes(alice.userId));

    const q = (await bob.client.downloadKeysForUsers([alice.userId])) as Json;
    expect(q.master_keys[alice.userId]).toEqual(first.keys.master_key);
    expect(q.self_signing_keys[alice.userId]).toEqual(first.keys.self_signing_key);
    expect(q.user_signing_keys?.[alice.userId]).toBeUndefined();
    const signed = q.device_keys[alice.userId][alice.deviceId];
    expect(verifyJsonSignature(signed, alice.userId, first.self.keyId, first.self.key.publicKey)).toBe(true);
  });

  it("replacing the keys asks for user-interactive auth, then takes the password", async () => {
    const next = keySet(alice.userId);
    const refused = await alice.client.uploadDeviceSigningKeys(undefined, next.keys as never).catch((e: { httpStatus?: number; data?: Json }) => e);
    expect((refused as { httpStatus?: number }).httpStatus).toBe(401);
    const session = (refused as { data: Json }).data.session as string;
    expect((refused as { data: Json }).data.flows).toEqual([{ stages: ["m.login.password"] }]);
    await alice.client.uploadDeviceSigningKeys(
      { type: "m.login.password", identifier: { type: "m.id.user", user: alice.userId }, password: alice.password, session } as never,
      next.keys as never,
    );
    const q = (await bob.client.downloadKeysForUsers([alice.userId])) as Json;
    expect(q.master_keys[alice.userId]).toEqual(next.keys.master_key);
  });
});
