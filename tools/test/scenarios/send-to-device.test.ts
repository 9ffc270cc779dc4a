/**
 * Send-to-device messaging through matrix-js-sdk, in every mode this machine can start (in the
 * polylith: clientapi → eduserver over HTTP, eduserver → syncapi over JetStream, syncapi asking
 * userapi for "*"): a message to one of Bob's devices reaches that device's sync loop once, even
 * when the client retries its transaction; a "*" one reaches each of his devices; his other
 * device never sees the first; a malformed request is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { eventually, loginUser, registerUser, sdk, startSyncing, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

describe.each(availableModes())("send-to-device through matrix-js-sdk (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let bobOther: TestUser;
  let otherSince = "";
  const received: sdk.MatrixEvent[] = [];
  const tag = Math.random().toString(36).slice(2, 8);
  const sync = (user: TestUser, since: string) =>
    clientApiCall(hs.baseUrl, "GET", `/sync?timeout=0&since=${encodeURIComponent(since)}`, undefined, user.accessToken);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    [alice, bob] = await Promise.all([registerUser(hs.baseUrl, `alice${tag}`), registerUser(hs.baseUrl, `bob${tag}`)]);
    bobOther = await loginUser(hs.baseUrl, `bob${tag}`, bob.password);
    otherSince = (await clientApiCall(hs.baseUrl, "GET", "/sync?timeout=0", undefined, bobOther.accessToken)).json.next_batch as string;
    bob.client.on(sdk.ClientEvent.ToDeviceEvent, (ev) => void received.push(ev));
    await startSyncing(bob);
  }, 180_000);

  afterAll(async () => {
    bob?.client.stopClient();
    await hs?.stop();
  });

  it("one device gets its message once, retried or not; * reaches every device", async () => {
    const toOne = new Map([[bob.userId, new Map([[bob.deviceId, { secret: "for one device" }]])]]);
    await alice.client.sendToDevice("org.example.test", toOne, "txn-1");
    await alice.client.sendToDevice("org.example.test", toOne, "txn-1");
    const toAll = new Map([[bob.userId, new Map([["*", { secret: "for all" }]])]]);
    await alice.client.sendToDevice("org.example.test", toAll, "txn-2");
    // Bob's messages keep their order: once the second is there, a repeat of the first would be too.
    await eventually(() => received.some((e) => e.getContent().secret === "for all"), "the * message at bob's syncing device");
    expect(received.map((e) => [e.getSender(), e.getType(), e.getContent().secret])).toEqual([
      [alice.userId, "org.example.test", "for one device"],
      [alice.userId, "org.example.test", "for all"],
    ]);

    // The other device: the * message only (the one bob's sync loop got already is stored, so this one is too).
    const events = ((await sync(bobOther, otherSince)).json.to_device as { events: unknown[] }).events;
    expect(events).toEqual([{ sender: alice.userId, type: "org.example.test", content: { secret: "for all" } }]);
  });

  it("a malformed request is 400", async () => {
    const bad = await clientApiCall(hs.baseUrl, "PUT", "/sendToDevice/org.example.test/bad-1", { messages: { "not a user": { DEV: {} } } }, alice.accessToken);
    expect([bad.status, bad.json.errcode]).toEqual([400, "M_INVALID_PARAM"]);
    const none = await clientApiCall(hs.baseUrl, "PUT", "/sendToDevice/org.example.test/bad-2", {}, alice.accessToken);
    expect([none.status, none.json.errcode]).toEqual([400, "M_BAD_JSON"]);
  });
});
