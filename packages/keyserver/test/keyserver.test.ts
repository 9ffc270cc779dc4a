/**
 * The keyserver through both client adapters (in-process and over HTTP, as the polylith wires
 * it), with real ed25519-signed device keys: stored and served exactly as uploaded (the
 * signature still verifies), only a device's own keys accepted, one-time keys claimed once each
 * even when claimers race, fallback keys when none is left, counts, deletion, and the
 * OutputKeyChangeEvent stream read back as syncapi reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER, startKeyserver, until, type KeyserverUnderTest } from "./setup";
import { encodeBase64, generateSigningKey, signJson, verifyJsonSignature } from "@dendrite-ts/protocol";
import { type OutputKeyChangeEvent, type KeyserverClient } from "../src/index";

let t: KeyserverUnderTest;
let clients: Record<string, KeyserverClient>;
let changes: OutputKeyChangeEvent[];

/** A device's identity keys as a client makes them: signed by the device's own ed25519 key. */
function signedDeviceKeys(userId: string, deviceId: string) {
  const key = generateSigningKey(`ed25519:${deviceId}`);
  const unsigned = {
    user_id: userId,
    device_id: deviceId,
    algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
    keys: { [`curve25519:${deviceId}`]: encodeBase64(generateSigningKey("ed25519:c").publicKey), [`ed25519:${deviceId}`]: encodeBase64(key.publicKey) },
    // A field the server does not know must survive too: it is under the signature.
    "org.example.extra": { z: 1, a: [15, "é\u2028"] },
  };
  return { json: signJson(unsigned, userId, key), key };
}

const otk = (userId: string, deviceId: string, id: string) => {
  const key = generateSigningKey(`ed25519:${deviceId}`);
  return { [`signed_curve25519:${id}`]: signJson({ key: encodeBase64(generateSigningKey("ed25519:x").publicKey) }, userId, key) };
};

beforeAll(async () => {
  t = await startKeyserver();
  clients = t.clients;
  changes = await t.keyChanges();
});
afterAll(() => t?.close());

describe.each(["local", "http"])("keyserver over the %s adapter", (adapter) => {
  const ks = () => clients[adapter]!;
  const alice = `@alice_${adapter}:${SERVER}`;
  const bob = `@bob_${adapter}:${SERVER}`;

  it("stores device keys exactly as uploaded, so their signature verifies when queried", async () => {
    const { json, key } = signedDeviceKeys(alice, "ALICE1");
    const res = await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE1", deviceKeys: json } });
    expect(res.body).toEqual({ oneTimeKeyCounts: { signed_curve25519: 0 } });
    const q = await ks().queryKeys({ body: { deviceKeys: { [alice]: [] } } });
    const got = (q.body as { deviceKeys: Record<string, Record<string, object>> }).deviceKeys[alice]!.ALICE1!;
    expect(JSON.stringify(got)).toBe(JSON.stringify(json));
    expect(verifyJsonSignature(got, alice, `ed25519:ALICE1`, key.publicKey)).toBe(true);
    await until("the key change", () => changes.some((c) => c.userId === alice && c.deviceId === "ALICE1" && !c.deleted));
  });

  it("refuses device keys naming another user or device, and changes nothing", async () => {
    for (const [userId, deviceId] of [[bob, "ALICE2"], [alice, "OTHER"]] as const) {
      const { json } = signedDeviceKeys(userId, deviceId);
      await expect(ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE2", deviceKeys: json } })).rejects.toMatchObject({
        errcode: "M_BAD_JSON",
      });
    }
    const q = await ks().queryKeys({ body: { deviceKeys: { [alice]: ["ALICE2"] } } });
    expect(q.body.deviceKeys[alice]).toEqual({});
  });

  it("replaces a device's keys with new ones and publishes the change; the same keys again publish nothing", async () => {
    const before = changes.length;
    const { json } = signedDeviceKeys(alice, "ALICE3");
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE3", deviceKeys: json } });
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE3", deviceKeys: json } });
    const second = signedDeviceKeys(alice, "ALICE3").json;
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE3", deviceKeys: second } });
    await until("two changes", () => changes.filter((c) => c.deviceId === "ALICE3" && c.userId === alice).length === 2);
    expect(changes.length - before).toBe(2);
    const q = await ks().queryKeys({ body: { deviceKeys: { [alice]: ["ALICE3"] } } });
    expect(q.body.deviceKeys[alice]!.ALICE3).toEqual(second);
  });

  it("lists other servers' users under failures and skips malformed IDs", async () => {
    const q = await ks().queryKeys({ body: { deviceKeys: { "@x:remote.example": [], "not-a-user": [], [bob]: [] } } });
    expect(q.body.deviceKeys).toEqual({ [bob]: {} });
    expect(Object.keys(q.body.failures)).toEqual(["remote.example"]);
  });

  it("counts one-time keys and hands each out once, to concurrent claimers too", async () => {
    const keys = Object.assign({}, ...Array.from({ length: 20 }, (_, i) => otk(alice, "ALICE4", `K${String(i).padStart(2, "0")}`)));
    const up = await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE4", oneTimeKeys: keys } });
    expect(up.body.oneTimeKeyCounts).toEqual({ signed_curve25519: 20 });
    // The same keys again are a no-op; one key ID with other content is refused.
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE4", oneTimeKeys: keys } });
    await expect(
      ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE4", oneTimeKeys: otk(alice, "ALICE4", "K00") } }),
    ).rejects.toMatchObject({ errcode: "M_INVALID_PARAM" });
    const claims = await Promise.all(
      Array.from({ length: 25 }, () => ks().performClaimKeys({ body: { oneTimeKeys: { [alice]: { ALICE4: "signed_curve25519" } } } })),
    );
    const got = claims.flatMap((c) => Object.entries(c.body.oneTimeKeys[alice]?.ALICE4 ?? {}));
    expect(got).toHaveLength(20);
    expect(new Set(got.map(([id]) => id)).size).toBe(20);
    for (const [id, key] of got) expect(key).toEqual(keys[id]);
    const counts = await ks().queryKeyCounts({ body: { userId: alice, deviceId: "ALICE4" } });
    expect(counts.body).toEqual({ oneTimeKeyCounts: { signed_curve25519: 0 }, unusedFallbackKeyTypes: [] });
  });

  it("hands out the fallback key when no one-time key is left, as often as asked, and marks it used", async () => {
    const fb = { "signed_curve25519:FB1": { key: "fallback1", fallback: true, signatures: {} } };
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE5", oneTimeKeys: { "signed_curve25519:O1": { key: "o1", signatures: {} } }, fallbackKeys: fb } });
    expect((await ks().queryKeyCounts({ body: { userId: alice, deviceId: "ALICE5" } })).body).toEqual({
      oneTimeKeyCounts: { signed_curve25519: 1 },
      unusedFallbackKeyTypes: ["signed_curve25519"],
    });
    const claim = () => ks().performClaimKeys({ body: { oneTimeKeys: { [alice]: { ALICE5: "signed_curve25519", NODEVICE: "signed_curve25519" } } } });
    expect((await claim()).body.oneTimeKeys).toEqual({ [alice]: { ALICE5: { "signed_curve25519:O1": { key: "o1", signatures: {} } } } });
    expect((await claim()).body.oneTimeKeys).toEqual({ [alice]: { ALICE5: fb } });
    expect((await claim()).body.oneTimeKeys).toEqual({ [alice]: { ALICE5: fb } });
    expect((await ks().queryKeyCounts({ body: { userId: alice, deviceId: "ALICE5" } })).body.unusedFallbackKeyTypes).toEqual([]);
    // Re-uploading the used key keeps it used; a new one is unused.
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE5", fallbackKeys: fb } });
    expect((await ks().queryKeyCounts({ body: { userId: alice, deviceId: "ALICE5" } })).body.unusedFallbackKeyTypes).toEqual([]);
    await ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE5", fallbackKeys: { "signed_curve25519:FB2": { key: "fallback2", fallback: true, signatures: {} } } } });
    expect((await ks().queryKeyCounts({ body: { userId: alice, deviceId: "ALICE5" } })).body.unusedFallbackKeyTypes).toEqual(["signed_curve25519"]);
    await expect(
      ks().performUploadKeys({ body: { userId: alice, deviceId: "ALICE5", fallbackKeys: { "nocolon": "x" } } }),
    ).rejects.toMatchObject({ errcode: "M_BAD_JSON" });
  });

  it("a refused upload writes nothing of it", async () => {
    await ks().performUploadKeys({ body: { userId: bob, deviceId: "BOB1", oneTimeKeys: { "curve25519:A": "a" } } });
    const { json } = signedDeviceKeys(bob, "BOB1");
    await expect(
      ks().performUploadKeys({ body: { userId: bob, deviceId: "BOB1", deviceKeys: json, oneTimeKeys: { "curve25519:A": "changed", "curve25519:B": "b" } } }),
    ).rejects.toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect((await ks().queryKeyCounts({ body: { userId: bob, deviceId: "BOB1" } })).body.oneTimeKeyCounts).toEqual({ signed_curve25519: 0, curve25519: 1 });
    expect((await ks().queryKeys({ body: { deviceKeys: { [bob]: [] } } })).body.deviceKeys[bob]).toEqual({});
  });

  it("deletes every key of deleted devices and publishes that their keys are gone", async () => {
    const { json } = signedDeviceKeys(bob, "BOB2");
    await ks().performUploadKeys({
      body: { userId: bob, deviceId: "BOB2", deviceKeys: json, oneTimeKeys: { "curve25519:A": "a" }, fallbackKeys: { "curve25519:F": "f" } },
    });
    // Counts read (and held) before the deletion must not outlive it.
    expect((await ks().queryKeyCounts({ body: { userId: bob, deviceId: "BOB2" } })).body.oneTimeKeyCounts).toEqual({ signed_curve25519: 0, curve25519: 1 });
    await ks().performDeleteDeviceKeys({ body: { userId: bob, deviceIds: ["BOB2", "NEVER"] } });
    expect((await ks().queryKeys({ body: { deviceKeys: { [bob]: [] } } })).body.deviceKeys[bob]).toEqual({});
    expect((await ks().queryKeyCounts({ body: { userId: bob, deviceId: "BOB2" } })).body).toEqual({
      oneTimeKeyCounts: { signed_curve25519: 0 },
      unusedFallbackKeyTypes: [],
    });
    await until("the deletion", () => changes.some((c) => c.userId === bob && c.deviceId === "BOB2" && c.deleted));
    // A device without keys is told of too (its to-device messages must go), marked as such.
    await until("the keyless deletion", () => changes.some((c) => c.userId === bob && c.deviceId === "NEVER"));
    expect(changes.find((c) => c.userId === bob && c.deviceId === "NEVER")).toEqual({ userId: bob, deviceId: "NEVER", deleted: true, hadNoKeys: true });
    expect(changes.find((c) => c.userId === bob && c.deviceId === "BOB2" && c.deleted)?.hadNoKeys).toBeUndefined();
  });
});
