// PUT /sendToDevice/{eventType}/{txnId} as a client sends it: what reaches the eduserver's
// OutputSendToDeviceEvent stream (one message per local user and device or "*", none for remote
// users until federation), a retried transaction sent once, and the refusals — no body, no
// messages, a user ID that is none, an empty device ID, content that is not an object, too many
// devices, no token — which publish nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_SEND_TO_DEVICE_EVENT, outputSendToDeviceEventSchema, type OutputSendToDeviceEvent } from "@dendrite-ts/eduserver";
import type { Subscription } from "@dendrite-ts/runtime";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";
import { MAX_TO_DEVICE_TARGETS } from "../src/routing/send-to-device";

let s: TestServer;
let alice: User;
let bob: User;
const published: OutputSendToDeviceEvent[] = [];
let sub: Subscription;
let txn = 0;

const put = (user: User | undefined, body: unknown, txnId = `t${++txn}`, type = "m.room_key_request") =>
  call(s, "PUT", `/sendToDevice/${enc(type)}/${enc(txnId)}`, body, user?.token);

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}
/** Lets anything published reach the test consumer before "nothing was published" is checked. */
const settle = () => new Promise((r) => setTimeout(r, 300));

beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  await s.streams.ensureConsumer(OUTPUT_SEND_TO_DEVICE_EVENT, "test-to-device");
  sub = await s.streams.consume(OUTPUT_SEND_TO_DEVICE_EVENT, "test-to-device", (m) => void published.push(outputSendToDeviceEventSchema.parse(m.json())));
});
afterAll(async () => {
  await sub?.stop();
  await s.close();
});

describe("PUT /sendToDevice", () => {
  it("publishes one message per local device or *, with sender and type; remote users are left out", async () => {
    published.length = 0;
    const res = await put(alice, {
      messages: {
        [bob.userId]: { [bob.deviceId]: { one: 1 } },
        [alice.userId]: { "*": { all: true } },
        "@someone:elsewhere.example": { DEV: { remote: true } },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({});
    await until("two messages", () => published.length === 2);
    await settle();
    expect(published.map(({ messageId: _, ...m }) => m)).toEqual([
      { sender: alice.userId, userId: bob.userId, deviceId: bob.deviceId, type: "m.room_key_request", content: { one: 1 } },
      { sender: alice.userId, userId: alice.userId, deviceId: "*", type: "m.room_key_request", content: { all: true } },
    ]);
  });

  it("a retried transaction is sent once; another txnId, or the same one for another type, again", async () => {
    published.length = 0;
    const body = { messages: { [bob.userId]: { [bob.deviceId]: { n: 1 } } } };
    expect((await put(alice, body, "retry")).status).toBe(200);
    expect((await put(alice, body, "retry")).status).toBe(200);
    await until("the first", () => published.length === 1);
    await settle();
    expect(published).toHaveLength(1);
    expect((await put(alice, body, "retry-2")).status).toBe(200);
    expect((await put(alice, body, "retry", "m.other")).status).toBe(200);
    // Bob's device may use the same txnId: his own transaction.
    expect((await put(bob, body, "retry")).status).toBe(200);
    await until("three more", () => published.length === 4);
    expect(new Set(published.map((m) => m.messageId)).size).toBe(4);
  });

  it("an empty messages object is 200 and sends nothing", async () => {
    published.length = 0;
    expect((await put(alice, { messages: {} })).status).toBe(200);
    expect((await put(alice, { messages: { [bob.userId]: {} } })).status).toBe(200);
    await settle();
    expect(published).toEqual([]);
  });

  it("refuses malformed requests and publishes nothing", async () => {
    published.length = 0;
    expectError(await put(alice, undefined), 400, "M_NOT_JSON");
    expectError(await put(alice, {}), 400, "M_BAD_JSON");
    expectError(await put(alice, { messages: [] }), 400, "M_BAD_JSON");
    expectError(await put(alice, { messages: { [bob.userId]: "x" } }), 400, "M_BAD_JSON");
    expectError(await put(alice, { messages: { [bob.userId]: { [bob.deviceId]: "not an object" } } }), 400, "M_BAD_JSON");
    expectError(await put(alice, { messages: { [bob.userId]: { [bob.deviceId]: [1] } } }), 400, "M_BAD_JSON");
    expectError(await put(alice, { messages: { "not-a-user": { DEV: {} } } }), 400, "M_INVALID_PARAM");
    // One bad user ID refuses all: nothing goes to the good one either.
    expectError(await put(alice, { messages: { [bob.userId]: { [bob.deviceId]: {} }, "@": { DEV: {} } } }), 400, "M_INVALID_PARAM");
    expectError(await put(alice, { messages: { [bob.userId]: { "": {} } } }), 400, "M_INVALID_PARAM");
    expectError(await put(alice, { messages: {} }, "x".repeat(256)), 400, "M_INVALID_PARAM");
    const many = Object.fromEntries(Array.from({ length: MAX_TO_DEVICE_TARGETS + 1 }, (_, i) => [`D${i}`, {}]));
    expectError(await put(alice, { messages: { [bob.userId]: many } }), 413, "M_TOO_LARGE");
    expectError(await put(undefined, { messages: { [bob.userId]: { [bob.deviceId]: {} } } }), 401, "M_MISSING_TOKEN");
    await settle();
    expect(published).toEqual([]);
  });
});
