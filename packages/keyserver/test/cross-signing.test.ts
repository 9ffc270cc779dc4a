/**
 * Cross-signing through both client adapters, with real ed25519 keys: a user's master,
 * self-signing and user-signing keys stored as uploaded and shown by queryKeys (user-signing only
 * to its owner); keys not signed by the master refused with nothing stored; replacing keys
 * answered authRequired until the caller has done user-interactive auth; signatures uploaded
 * over a device, a master key and another user's master key, merged into the keys queried
 * (each only where the requester may see it), bad ones listed as failures; and every change to
 * a user's keys published on the OutputKeyChangeEvent stream, as syncapi reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER, startKeyserver, until, type KeyserverUnderTest } from "./setup";
import { computeJsonSignature, encodeBase64, generateSigningKey, verifyJsonSignature, type SigningKey } from "@dendrite-ts/protocol";
import { type OutputKeyChangeEvent, type KeyserverClient } from "../src/index";

let t: KeyserverUnderTest;
let clients: Record<string, KeyserverClient>;
let changes: OutputKeyChangeEvent[];

type Json = Record<string, unknown>;

/** An ed25519 key pair and its key ID as cross-signing names it: `ed25519:<public key>`. */
function newKey() {
  const key = generateSigningKey("ed25519:x");
  const pub = encodeBase64(key.publicKey);
  return { key, pub, keyId: `ed25519:${pub}` };
}
type Key = ReturnType<typeof newKey>;

/** `obj` with a signature by `signer` (as `userId`, under `keyId`) added to its signatures. */
function sign(obj: Json, userId: string, keyId: string, key: SigningKey): Json {
  const signatures = (obj.signatures ?? {}) as Record<string, Record<string, string>>;
  return { ...obj, signatures: { ...signatures, [userId]: { ...signatures[userId], [keyId]: computeJsonSignature(obj, key) } } };
}

function crossSigningKey(userId: string, usage: string, k: Key, master?: Key): Json {
  const json: Json = { user_id: userId, usage: [usage], keys: { [k.keyId]: k.pub } };
  return master ? sign(json, userId, master.keyId, master.key) : json;
}

function deviceKeys(userId: string, deviceId: string) {
  const key = generateSigningKey(`ed25519:${deviceId}`);
  const json: Json = {
    user_id: userId,
    device_id: deviceId,
    algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
    keys: { [`ed25519:${deviceId}`]: encodeBase64(key.publicKey), [`curve25519:${deviceId}`]: encodeBase64(generateSigningKey("ed25519:c").publicKey) },
  };
  return { json: sign(json, userId, `ed25519:${deviceId}`, key), key };
}

beforeAll(async () => {
  t = await startKeyserver();
  clients = t.clients;
  changes = await t.keyChanges();
});
afterAll(() => t?.close());

describe.each(["local", "http"])("cross-signing over the %s adapter", (adapter) => {
  const ks = () => clients[adapter]!;
  const alice = `@alice_${adapter}:${SERVER}`;
  const bob = `@bob_${adapter}:${SERVER}`;
  const aMaster = newKey();
  const aSelf = newKey();
  const aUser = newKey();
  const bMaster = newKey();
  const query = (requesterId: string, users: string[]) =>
    ks().queryKeys({ body: { deviceKeys: Object.fromEntries(users.map((u) => [u, []])), requesterId } }).then((r) => r.body);

  it("stores a first set of keys without auth, as uploaded, and shows the user-signing key to its owner only", async () => {
    const master = crossSigningKey(alice, "master", aMaster);
    const self = crossSigningKey(alice, "self_signing", aSelf, aMaster);
    const user = crossSigningKey(alice, "user_signing", aUser, aMaster);
    const before = changes.length;
    const res = await ks().performUploadSigningKeys({ body: { userId: alice, masterKey: master, selfSigningKey: self, userSigningKey: user, replaceAllowed: false } });
    expect(res.body).toEqual({ authRequired: false });
    const own = await query(alice, [alice]);
    expect(JSON.stringify(own.masterKeys[alice])).toBe(JSON.stringify(master));
    expect(JSON.stringify(own.selfSigningKeys[alice])).toBe(JSON.stringify(self));
    expect(own.userSigningKeys).toEqual({ [alice]: user });
    expect(verifyJsonSignature(own.selfSigningKeys[alice]!, alice, aMaster.keyId, aMaster.key.publicKey)).toBe(true);
    const other = await query(bob, [alice]);
    expect(other.masterKeys).toEqual({ [alice]: master });
    expect(other.selfSigningKeys).toEqual({ [alice]: self });
    expect(other.userSigningKeys).toEqual({});
    await until("the key change", () => changes.slice(before).some((c) => c.userId === alice && !c.deleted));
    // The same keys again (a retry whose answer was lost) need no auth and change nothing.
    const again = await ks().performUploadSigningKeys({ body: { userId: alice, masterKey: master, selfSigningKey: self, replaceAllowed: false } });
    expect(again.body).toEqual({ authRequired: false });
  });

  it("refuses keys the master key did not sign, or that are not the uploader's, and stores nothing", async () => {
    const other = newKey();
    const cases: [Json, string][] = [
      [{ masterKey: crossSigningKey(bob, "master", bMaster), selfSigningKey: crossSigningKey(bob, "self_signing", other, other) }, "M_INVALID_SIGNATURE"],
      [{ masterKey: crossSigningKey(bob, "master", bMaster), selfSigningKey: crossSigningKey(bob, "self_signing", other) }, "M_INVALID_SIGNATURE"],
      [{ masterKey: crossSigningKey(alice, "master", bMaster) }, "M_INVALID_PARAM"],
      [{ masterKey: crossSigningKey(bob, "self_signing", bMaster) }, "M_INVALID_PARAM"],
      [{ masterKey: { ...crossSigningKey(bob, "master", bMaster), keys: { [bMaster.keyId]: bMaster.pub, [other.keyId]: other.pub } } }, "M_INVALID_PARAM"],
      [{ selfSigningKey: crossSigningKey(bob, "self_signing", other, bMaster) }, "M_MISSING_PARAM"],
    ];
    for (const [keys, errcode] of cases) {
      await expect(ks().performUploadSigningKeys({ body: { userId: bob, ...keys, replaceAllowed: false } })).rejects.toMatchObject({ errcode });
    }
    // An upload of nothing is a no-op, master key or not.
    expect((await ks().performUploadSigningKeys({ body: { userId: bob, replaceAllowed: false } })).body).toEqual({ authRequired: false });
    const q = await query(bob, [bob]);
    expect([q.masterKeys, q.selfSigningKeys, q.userSigningKeys]).toEqual([{}, {}, {}]);
  });

  it("answers authRequired, writing nothing, for a replacement without auth; stores it with auth", async () => {
    const newSelf = crossSigningKey(alice, "self_signing", newKey(), aMaster);
    const res = await ks().performUploadSigningKeys({ body: { userId: alice, selfSigningKey: newSelf, replaceAllowed: false } });
    expect(res.body).toEqual({ authRequired: true });
    expect((await query(alice, [alice])).selfSigningKeys[alice]).toEqual(crossSigningKey(alice, "self_signing", aSelf, aMaster));
    const newMaster = newKey();
    const replaced = await ks().performUploadSigningKeys({
      body: { userId: bob, masterKey: crossSigningKey(bob, "master", newMaster), replaceAllowed: false },
    });
    expect(replaced.body).toEqual({ authRequired: false });
    // Bob's first master key (the one the rest of this suite uses) replaces it, with auth.
    const withAuth = await ks().performUploadSigningKeys({
      body: { userId: bob, masterKey: crossSigningKey(bob, "master", bMaster), replaceAllowed: true },
    });
    expect(withAuth.body).toEqual({ authRequired: false });
    expect((await query(alice, [bob])).masterKeys[bob]).toEqual(crossSigningKey(bob, "master", bMaster));
  });

  it("keeps a device's signature by the self-signing key, shows it in the device's keys, and publishes the change", async () => {
    const { json } = deviceKeys(alice, "ADEV1");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV1", deviceKeys: json } });
    const before = changes.length;
    const signed = sign(json, alice, aSelf.keyId, aSelf.key);
    const res = await ks().performUploadSignatures({ body: { userId: alice, signed: { [alice]: { ADEV1: signed } } } });
    expect(res.body).toEqual({ failures: {} });
    const got = (await query(bob, [alice])).deviceKeys[alice]!.ADEV1!;
    expect(got).toEqual(signed);
    expect(verifyJsonSignature(got, alice, aSelf.keyId, aSelf.key.publicKey)).toBe(true);
    await until("the signature's key change", () => changes.slice(before).some((c) => c.userId === alice && c.deviceId === "ADEV1" && !c.deleted));
  });

  it("keeps a master key's signature by one of the user's devices", async () => {
    const { json, key } = deviceKeys(alice, "ADEV2");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV2", deviceKeys: json } });
    const signed = sign(crossSigningKey(alice, "master", aMaster), alice, "ed25519:ADEV2", key);
    const res = await ks().performUploadSignatures({ body: { userId: alice, signed: { [alice]: { [aMaster.pub]: signed } } } });
    expect(res.body).toEqual({ failures: {} });
    expect((await query(bob, [alice])).masterKeys[alice]).toEqual(signed);
  });

  it("lists bad signatures, unknown keys and changed keys under failures, and keeps the good ones of the same request", async () => {
    const { json } = deviceKeys(alice, "ADEV3");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV3", deviceKeys: json } });
    const forged = sign(json, alice, aSelf.keyId, newKey().key);
    const changed = sign({ ...json, algorithms: ["m.megolm.v1.aes-sha2"] }, alice, aSelf.keyId, aSelf.key);
    const { json: other } = deviceKeys(alice, "ADEV4");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV4", deviceKeys: other } });
    const good = sign(other, alice, aSelf.keyId, aSelf.key);
    const res = await ks().performUploadSignatures({
      body: { userId: alice, signed: { [alice]: { ADEV3: forged, NODEVICE: forged, ADEV4: good }, "@x:remote.example": { K: {} } } },
    });
    expect(res.body.failures[alice]).toEqual({
      ADEV3: { errcode: "M_INVALID_SIGNATURE", error: expect.any(String) },
      NODEVICE: { errcode: "M_NOT_FOUND", error: expect.any(String) },
    });
    expect(res.body.failures["@x:remote.example"]?.K?.errcode).toBe("M_UNKNOWN");
    const res2 = await ks().performUploadSignatures({ body: { userId: alice, signed: { [alice]: { ADEV3: changed } } } });
    expect(res2.body.failures[alice]?.ADEV3?.errcode).toBe("M_UNKNOWN");
    const devices = (await query(bob, [alice])).deviceKeys[alice]!;
    expect(devices.ADEV3).toEqual(json);
    expect(devices.ADEV4).toEqual(good);
  });

  it("keeps a signature of another user's master key by the user-signing key, shown to the signer only", async () => {
    const bobsMaster = crossSigningKey(bob, "master", bMaster);
    const signed = sign(bobsMaster, alice, aUser.keyId, aUser.key);
    const res = await ks().performUploadSignatures({ body: { userId: alice, signed: { [bob]: { [bMaster.pub]: signed } } } });
    expect(res.body).toEqual({ failures: {} });
    const byAlice = (await query(alice, [bob])).masterKeys[bob]!;
    expect(byAlice).toEqual(signed);
    expect(verifyJsonSignature(byAlice, alice, aUser.keyId, aUser.key.publicKey)).toBe(true);
    expect((await query(bob, [bob])).masterKeys[bob]).toEqual(bobsMaster);
    const forged = sign(bobsMaster, alice, aUser.keyId, newKey().key);
    const bad = await ks().performUploadSignatures({ body: { userId: alice, signed: { [bob]: { [bMaster.pub]: forged } } } });
    expect(bad.body.failures[bob]?.[bMaster.pub]?.errcode).toBe("M_INVALID_SIGNATURE");
  });

  it("drops a device's signatures when its keys are replaced or deleted", async () => {
    const { json } = deviceKeys(alice, "ADEV5");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV5", deviceKeys: json } });
    const sign5 = () => ks().performUploadSignatures({ body: { userId: alice, signed: { [alice]: { ADEV5: sign(json, alice, aSelf.keyId, aSelf.key) } } } });
    expect((await sign5()).body).toEqual({ failures: {} });
    const { json: replaced } = deviceKeys(alice, "ADEV5");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV5", deviceKeys: replaced } });
    expect((await query(bob, [alice])).deviceKeys[alice]!.ADEV5).toEqual(replaced);
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV5", deviceKeys: json } });
    expect((await sign5()).body).toEqual({ failures: {} });
    await ks().performDeleteDeviceKeys({ body: { userId: alice, deviceIds: ["ADEV5"] } });
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ADEV5", deviceKeys: json } });
    expect((await query(bob, [alice])).deviceKeys[alice]!.ADEV5).toEqual(json);
  });

  it("drops the signatures of a replaced self-signing key", async () => {
    const newSelf = newKey();
    await ks().performUploadSigningKeys({ body: { userId: alice, selfSigningKey: crossSigningKey(alice, "self_signing", newSelf, aMaster), replaceAllowed: true } });
    const devices = (await query(bob, [alice])).deviceKeys[alice]!;
    expect(Object.keys((devices.ADEV1!.signatures as Json)[alice] as Json)).toEqual(["ed25519:ADEV1"]);
  });
});
