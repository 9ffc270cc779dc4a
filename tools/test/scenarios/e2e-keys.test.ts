/**
 * End-to-end encryption keys over raw HTTP, in every mode this machine can start (in the
 * polylith: clientapi → keyserver over HTTP, keyserver → syncapi over JetStream, /keys/changes
 * routed to syncapi): device keys signed with the device's real ed25519 key reach another user
 * intact, one-time keys are claimed once each and counted in /sync, a re-upload shows in the
 * other user's device_lists and /keys/changes, and logging out takes the keys away.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, signJson, verifyJsonSignature, type SigningKey } from "@dendrite-ts/protocol";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { registerUser, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

describe.each(availableModes())("end-to-end encryption keys (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let key: SigningKey;
  const tag = Math.random().toString(36).slice(2, 8);
  const call = (method: string, path: string, body: object | undefined, user: TestUser) => clientApiCall(hs.baseUrl, method, path, body, user.accessToken);
  const deviceKeys = () =>
    signJson(
      {
        user_id: alice.userId,
        device_id: alice.deviceId,
        algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        keys: { [`curve25519:${alice.deviceId}`]: encodeBase64(generateSigningKey("ed25519:c").publicKey), [`ed25519:${alice.deviceId}`]: encodeBase64(key.publicKey) },
      },
      alice.userId,
      key,
    );
  async function syncUntil(user: TestUser, since: string, check: (res: any) => boolean): Promise<any> {
    let last: any;
    for (let i = 0; i < 60; i++) {
      last = (await call("GET", `/sync?since=${encodeURIComponent(since)}&timeout=500`, undefined, user)).json;
      if (check(last)) return last;
    }
    throw new Error(`never came: ${JSON.stringify(last?.device_lists)}`);
  }

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    [alice, bob] = await Promise.all([registerUser(hs.baseUrl, `alice${tag}`), registerUser(hs.baseUrl, `bob${tag}`)]);
    key = generateSigningKey(`ed25519:${alice.deviceId}`);
    const room = await call("POST", "/createRoom", { preset: "private_chat", invite: [bob.userId] }, alice);
    expect((await call("POST", `/join/${encodeURIComponent(room.json.room_id as string)}`, {}, bob)).status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  it("publishes, fetches, claims and counts keys; a change reaches the other user's device_lists", async () => {
    const bob0 = (await call("GET", "/sync", undefined, bob)).json as { next_batch: string };
    const otks = Object.fromEntries(
      ["AAAAAQ", "AAAAAg"].map((id) => [`signed_curve25519:${id}`, signJson({ key: encodeBase64(generateSigningKey("ed25519:o").publicKey) }, alice.userId, key)]),
    );
    const up = await call("POST", "/keys/upload", { device_keys: deviceKeys(), one_time_keys: otks }, alice);
    expect(up).toEqual({ status: 200, json: { one_time_key_counts: { signed_curve25519: 2 } } });

    const q = await call("POST", "/keys/query", { device_keys: { [alice.userId]: [] } }, bob);
    const got = (q.json.device_keys as any)[alice.userId][alice.deviceId];
    expect(verifyJsonSignature(got, alice.userId, `ed25519:${alice.deviceId}`, key.publicKey)).toBe(true);

    const claim = await call("POST", "/keys/claim", { one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } }, bob);
    const claimed = (claim.json.one_time_keys as any)[alice.userId][alice.deviceId];
    expect(Object.keys(claimed)).toHaveLength(1);
    expect(otks[Object.keys(claimed)[0]!]).toEqual(Object.values(claimed)[0]);
    const aliceSync = (await call("GET", "/sync", undefined, alice)).json;
    expect(aliceSync.device_one_time_keys_count).toEqual({ signed_curve25519: 1 });

    // Bob shares a room with alice: her keys (uploaded after his token) are news to him.
    const bob1 = await syncUntil(bob, bob0.next_batch, (r) => r.device_lists?.changed?.includes(alice.userId));
    expect(bob1.device_lists.changed).toEqual([alice.userId]);
    const changes = await call("GET", `/keys/changes?from=${encodeURIComponent(bob0.next_batch)}&to=${encodeURIComponent(bob1.next_batch)}`, undefined, bob);
    expect(changes).toEqual({ status: 200, json: { changed: [alice.userId], left: [] } });

    // Logging out deletes the device's keys: nothing left to fetch, and bob is told.
    expect((await call("POST", "/logout", {}, alice)).status).toBe(200);
    const after = await call("POST", "/keys/query", { device_keys: { [alice.userId]: [] } }, bob);
    expect((after.json.device_keys as any)[alice.userId]).toEqual({});
    await syncUntil(bob, bob1.next_batch, (r) => r.device_lists?.changed?.includes(alice.userId));
  });
});
