// End-to-end encryption keys as a client publishes and fetches them (keys.yaml): device keys
// signed with the device's real ed25519 key come back from /keys/query as sent (fields in the
// client's order, signature verifying) with the device's display name in unsigned; one-time
// keys are counted, claimed once each, then the fallback key; malformed bodies are 400s that
// change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, signJson, verifyJsonSignature, type SigningKey } from "@dendrite-ts/protocol";
import { call, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;

/** A device's identity keys as a client makes them, with fields in an order canonical JSON would not use. */
function signedDeviceKeys(user: User, key: SigningKey = generateSigningKey(`ed25519:${user.deviceId}`)) {
  const body = {
    user_id: user.userId,
    keys: {
      [`ed25519:${user.deviceId}`]: encodeBase64(key.publicKey),
      [`curve25519:${user.deviceId}`]: encodeBase64(generateSigningKey("ed25519:c").publicKey),
    },
    device_id: user.deviceId,
    algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
  };
  return { json: signJson(body, user.userId, key), key };
}

const signedOtk = (user: User, key: SigningKey, id: string) => ({
  [`signed_curve25519:${id}`]: signJson({ key: encodeBase64(generateSigningKey("ed25519:x").publicKey) }, user.userId, key),
});

beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  await call(s, "PUT", `/devices/${alice.deviceId}`, { display_name: "Alice's laptop" }, alice.token);
});
afterAll(async () => {
  await s?.close();
});

describe("POST /keys/upload and /keys/query", () => {
  it("serves device keys as the device sent them, with its display name, signature intact", async () => {
    const { json, key } = signedDeviceKeys(alice);
    const up = await call(s, "POST", "/keys/upload", { device_keys: json }, alice.token);
    expect(up).toEqual({ status: 200, body: { one_time_key_counts: { signed_curve25519: 0 } } });
    const q = await call(s, "POST", "/keys/query", { device_keys: { [alice.userId]: [], [bob.userId]: [] } }, bob.token);
    expect(q.status).toBe(200);
    const got = q.body.device_keys[alice.userId][alice.deviceId];
    expect(Object.keys(got)).toEqual([...Object.keys(json), "unsigned"]);
    expect(got).toEqual({ ...json, unsigned: { device_display_name: "Alice's laptop" } });
    expect(verifyJsonSignature(got, alice.userId, `ed25519:${alice.deviceId}`, key.publicKey)).toBe(true);
    expect(q.body.device_keys[bob.userId]).toEqual({});
    expect(q.body.failures).toEqual({});
  });

  it("asks for named devices only, and lists other servers under failures", async () => {
    const q = await call(s, "POST", "/keys/query", { device_keys: { [alice.userId]: ["NOPE"], "@carol:elsewhere.example": [] } }, bob.token);
    expect(q.status).toBe(200);
    expect(q.body.device_keys).toEqual({ [alice.userId]: {} });
    expect(Object.keys(q.body.failures)).toEqual(["elsewhere.example"]);
  });

  it("refuses another user's or device's keys with 400 M_BAD_JSON and keeps the old ones", async () => {
    const before = (await call(s, "POST", "/keys/query", { device_keys: { [alice.userId]: [] } }, bob.token)).body.device_keys;
    expectError(await call(s, "POST", "/keys/upload", { device_keys: signedDeviceKeys(bob).json }, alice.token), 400, "M_BAD_JSON");
    const otherDevice = signedDeviceKeys({ ...alice, deviceId: "SOMEOTHER" }).json;
    expectError(await call(s, "POST", "/keys/upload", { device_keys: otherDevice }, alice.token), 400, "M_BAD_JSON");
    const after = (await call(s, "POST", "/keys/query", { device_keys: { [alice.userId]: [] } }, bob.token)).body.device_keys;
    expect(after).toEqual(before);
  });

  it.each([
    ["device_keys not an object", { device_keys: 5 }],
    ["device_keys without signatures", { device_keys: { user_id: "@a:b", device_id: "D", algorithms: [], keys: {} } }],
    ["a key that is not a string", { device_keys: { user_id: "@a:b", device_id: "D", algorithms: [], keys: { "a:b": 1 }, signatures: {} } }],
    ["a one-time key object without key", { one_time_keys: { "signed_curve25519:A": { signatures: {} } } }],
    ["a one-time key of the wrong type", { one_time_keys: { "curve25519:A": 5 } }],
    ["a one-time key name without algorithm", { one_time_keys: { nocolon: "k" } }],
    ["a fallback key name without algorithm", { fallback_keys: { nocolon: "k" } }],
  ])("upload: %s is 400 M_BAD_JSON", async (_, body) => {
    expectError(await call(s, "POST", "/keys/upload", body, bob.token), 400, "M_BAD_JSON");
  });

  it.each([
    ["no device_keys", {}],
    ["device_keys values not lists", { device_keys: { "@a:b": "x" } }],
  ])("query: %s is 400 M_BAD_JSON", async (_, body) => {
    expectError(await call(s, "POST", "/keys/query", body, bob.token), 400, "M_BAD_JSON");
  });

  it("needs an access token", async () => {
    expectError(await call(s, "POST", "/keys/upload", {}), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "POST", "/keys/query", { device_keys: {} }), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "POST", "/keys/claim", { one_time_keys: {} }), 401, "M_MISSING_TOKEN");
  });
});

describe("POST /keys/claim", () => {
  it("hands out each one-time key once, then the fallback key", async () => {
    const key = generateSigningKey(`ed25519:${bob.deviceId}`);
    const otks = { ...signedOtk(bob, key, "AAAAAQ"), ...signedOtk(bob, key, "AAAAAg") };
    const fallback = { "signed_curve25519:AAAAFB": { ...signJson({ key: "fallbackkey", fallback: true }, bob.userId, key) } };
    const up = await call(s, "POST", "/keys/upload", { one_time_keys: otks, fallback_keys: fallback }, bob.token);
    expect(up).toEqual({ status: 200, body: { one_time_key_counts: { signed_curve25519: 2 } } });
    // The same key ID with other content is refused, and counts stay.
    const clash = { "signed_curve25519:AAAAAQ": signJson({ key: "different" }, bob.userId, key) };
    expectError(await call(s, "POST", "/keys/upload", { one_time_keys: clash }, bob.token), 400, "M_INVALID_PARAM");

    const claim = () => call(s, "POST", "/keys/claim", { one_time_keys: { [bob.userId]: { [bob.deviceId]: "signed_curve25519" } } }, alice.token);
    const got = [await claim(), await claim(), await claim(), await claim()].map((r) => {
      expect(r.status).toBe(200);
      expect(r.body.failures).toEqual({});
      return r.body.one_time_keys[bob.userId][bob.deviceId];
    });
    expect(new Set([...Object.keys(got[0]), ...Object.keys(got[1])])).toEqual(new Set(Object.keys(otks)));
    expect({ ...got[0], ...got[1] }).toEqual(otks);
    expect(got[2]).toEqual(fallback);
    expect(got[3]).toEqual(fallback);
    const counts = await call(s, "POST", "/keys/upload", {}, bob.token);
    expect(counts.body).toEqual({ one_time_key_counts: { signed_curve25519: 0 } });
  });

  it("claims nothing for unknown devices or algorithms, and lists other servers under failures", async () => {
    const r = await call(
      s,
      "POST",
      "/keys/claim",
      { one_time_keys: { [bob.userId]: { NODEVICE: "signed_curve25519", [bob.deviceId]: "curve25519" }, "@x:elsewhere.example": { D: "signed_curve25519" } } },
      alice.token,
    );
    expect(r.status).toBe(200);
    expect(r.body.one_time_keys).toEqual({});
    expect(Object.keys(r.body.failures)).toEqual(["elsewhere.example"]);
  });

  it.each([
    ["no one_time_keys", {}],
    ["an algorithm that is not a string", { one_time_keys: { "@a:b": { D: 5 } } }],
  ])("%s is 400 M_BAD_JSON", async (_, body) => {
    expectError(await call(s, "POST", "/keys/claim", body, alice.token), 400, "M_BAD_JSON");
  });
});

describe("a deleted device's keys go with it", () => {
  let dave: User;
  beforeAll(async () => {
    dave = await register(s, "dave");
  });
  const login = async (deviceId: string): Promise<User> => {
    const r = await call(s, "POST", "/login", { type: "m.login.password", user: "dave", password: dave.password, device_id: deviceId });
    expect(r.status).toBe(200);
    return { ...dave, token: r.body.access_token, deviceId };
  };
  /** Uploads identity, one-time and fallback keys for the device. */
  const publish = async (u: User) => {
    const key = generateSigningKey(`ed25519:${u.deviceId}`);
    const up = await call(
      s,
      "POST",
      "/keys/upload",
      { device_keys: signedDeviceKeys(u, key).json, one_time_keys: signedOtk(u, key, "O1"), fallback_keys: { "curve25519:F1": "fb" } },
      u.token,
    );
    expect(up.status).toBe(200);
  };
  const devicesWithKeys = async () =>
    Object.keys((await call(s, "POST", "/keys/query", { device_keys: { [dave.userId]: [] } }, alice.token)).body.device_keys[dave.userId]).sort();
  const claimFrom = async (deviceId: string, algorithm: string) =>
    (await call(s, "POST", "/keys/claim", { one_time_keys: { [dave.userId]: { [deviceId]: algorithm } } }, alice.token)).body.one_time_keys;
  const passwordAuth = (session: string) => ({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: dave.userId },
    password: dave.password,
    session,
  });

  it("on DELETE /devices/{id} and POST /delete_devices", async () => {
    const [phone, tablet] = [await login("PHONE"), await login("TABLET")];
    await publish(phone);
    await publish(tablet);
    expect(await devicesWithKeys()).toEqual(["PHONE", "TABLET"]);
    const first = await call(s, "DELETE", "/devices/PHONE", {}, dave.token);
    expect((await call(s, "DELETE", "/devices/PHONE", { auth: passwordAuth(first.body.session) }, dave.token)).status).toBe(200);
    expect(await devicesWithKeys()).toEqual(["TABLET"]);
    expect(await claimFrom("PHONE", "signed_curve25519")).toEqual({});
    const again = await call(s, "POST", "/delete_devices", { devices: ["TABLET"] }, dave.token);
    expect((await call(s, "POST", "/delete_devices", { devices: ["TABLET"], auth: passwordAuth(again.body.session) }, dave.token)).status).toBe(200);
    expect(await devicesWithKeys()).toEqual([]);
    expect(await claimFrom("TABLET", "curve25519")).toEqual({});
  });

  it("on POST /logout and /logout/all", async () => {
    const [laptop, desktop, other] = [await login("LAPTOP"), await login("DESKTOP"), await login("OTHER")];
    for (const u of [laptop, desktop, other]) await publish(u);
    expect((await call(s, "POST", "/logout", {}, laptop.token)).status).toBe(200);
    expect(await devicesWithKeys()).toEqual(["DESKTOP", "OTHER"]);
    expect((await call(s, "POST", "/logout/all", {}, desktop.token)).status).toBe(200);
    expect(await devicesWithKeys()).toEqual([]);
    expect(await claimFrom("OTHER", "signed_curve25519")).toEqual({});
  });
});
