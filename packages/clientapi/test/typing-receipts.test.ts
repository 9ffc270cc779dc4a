// Typing notifications, receipts and read markers as a client sends them: what reaches the
// eduserver's streams (and userapi's account data for m.fully_read), and the refusals — someone
// else's typing, a room the user is not in, a receipt type that is none, an event that is not
// the room's or that the user cannot see, a bad thread_id — which change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OUTPUT_RECEIPT_EVENT,
  OUTPUT_TYPING_EVENT,
  outputReceiptEventSchema,
  outputTypingEventSchema,
  type OutputReceiptEvent,
  type OutputTypingEvent,
} from "@dendrite-ts/eduserver";
import type { Subscription } from "@dendrite-ts/runtime";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
let room: string;
let other: string;
let msg: string;
const typing: OutputTypingEvent[] = [];
const receipts: OutputReceiptEvent[] = [];
const subs: Subscription[] = [];

const send = async (user: User, roomId: string, content: object) =>
  (await call(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`, content, user.token)).body.event_id as string;
const typingPut = (user: User, roomId: string, userId: string, body: unknown) =>
  call(s, "PUT", `/rooms/${enc(roomId)}/typing/${enc(userId)}`, body, user.token);
const receipt = (user: User, roomId: string, type: string, eventId: string, body: unknown = {}) =>
  call(s, "POST", `/rooms/${enc(roomId)}/receipt/${enc(type)}/${enc(eventId)}`, body, user.token);

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}
/** Lets anything published reach the test consumers before "nothing was published" is checked. */
const settle = () => new Promise((r) => setTimeout(r, 300));

beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  room = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
  other = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, bob.token)).body.room_id;
  msg = await send(alice, room, { msgtype: "m.text", body: "hello" });
  await s.streams.ensureConsumer(OUTPUT_TYPING_EVENT, "test-typing");
  await s.streams.ensureConsumer(OUTPUT_RECEIPT_EVENT, "test-receipts");
  subs.push(await s.streams.consume(OUTPUT_TYPING_EVENT, "test-typing", (m) => void typing.push(outputTypingEventSchema.parse(m.json()))));
  subs.push(await s.streams.consume(OUTPUT_RECEIPT_EVENT, "test-receipts", (m) => void receipts.push(outputReceiptEventSchema.parse(m.json()))));
});
afterAll(async () => {
  for (const sub of subs) await sub.stop();
  await s.close();
});

describe("PUT /typing", () => {
  it("starts typing with the timeout asked for, capped at 120 s, and stops", async () => {
    typing.length = 0;
    const before = Date.now();
    expect((await typingPut(alice, room, alice.userId, { typing: true, timeout: 20_000 })).body).toEqual({});
    expect((await typingPut(alice, room, alice.userId, { typing: true, timeout: 9_999_999 })).status).toBe(200);
    expect((await typingPut(alice, room, alice.userId, { typing: false })).status).toBe(200);
    await until("three typing messages", () => typing.length === 3);
    expect(typing.map((t) => [t.roomId, t.userId, t.typing])).toEqual([
      [room, alice.userId, true],
      [room, alice.userId, true],
      [room, alice.userId, false],
    ]);
    expect(typing[0]!.expireTs! - before).toBeGreaterThanOrEqual(20_000);
    expect(typing[0]!.expireTs! - Date.now()).toBeLessThanOrEqual(20_000);
    expect(typing[1]!.expireTs! - Date.now()).toBeLessThanOrEqual(120_000);
  });

  it("refuses someone else's typing, a room not joined, and a bad body, publishing nothing", async () => {
    typing.length = 0;
    expectError(await typingPut(alice, room, bob.userId, { typing: true, timeout: 1000 }), 403, "M_FORBIDDEN");
    expectError(await typingPut(bob, room, bob.userId, { typing: true, timeout: 1000 }), 403, "M_FORBIDDEN");
    expectError(await typingPut(alice, "!nowhere:test.local", alice.userId, { typing: true }), 403, "M_FORBIDDEN");
    expectError(await typingPut(alice, room, alice.userId, { timeout: 1000 }), 400, "M_BAD_JSON");
    expectError(await typingPut(alice, room, alice.userId, { typing: "yes" }), 400, "M_BAD_JSON");
    expectError(await typingPut(alice, room, alice.userId, undefined), 400, "M_NOT_JSON");
    expectError(await typingPut(alice, room, "not-a-user", { typing: true }), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", `/rooms/${enc(room)}/typing/${enc(alice.userId)}`, { typing: true }), 401, "M_MISSING_TOKEN");
    await settle();
    expect(typing).toEqual([]);
  });
});

describe("POST /receipt", () => {
  it("publishes m.read and m.read.private, unthreaded or with a thread_id", async () => {
    receipts.length = 0;
    expect((await receipt(alice, room, "m.read", msg)).body).toEqual({});
    expect((await receipt(alice, room, "m.read.private", msg, { thread_id: "main" })).status).toBe(200);
    // No body at all, as older clients send it.
    expect((await receipt(alice, room, "m.read", msg, undefined)).status).toBe(200);
    await until("three receipts", () => receipts.length === 3);
    expect(receipts.map(({ ts: _ts, ...r }) => r)).toEqual([
      { roomId: room, userId: alice.userId, receiptType: "m.read", eventId: msg, threadId: null },
      { roomId: room, userId: alice.userId, receiptType: "m.read.private", eventId: msg, threadId: "main" },
      { roomId: room, userId: alice.userId, receiptType: "m.read", eventId: msg, threadId: null },
    ]);
  });

  it("m.fully_read sets the room's m.fully_read account data", async () => {
    expect((await receipt(alice, room, "m.fully_read", msg)).status).toBe(200);
    const { body } = await s.userapi.queryAccountData({ body: { userId: alice.userId, roomId: room, type: "m.fully_read" } });
    expect((body as { content: unknown }).content).toEqual({ event_id: msg });
  });

  it("a thread reply takes its own thread, not main", async () => {
    const reply = await send(alice, room, { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: msg } });
    receipts.length = 0;
    expect((await receipt(alice, room, "m.read", reply, { thread_id: msg })).status).toBe(200);
    expectError(await receipt(alice, room, "m.read", reply, { thread_id: "main" }), 400, "M_INVALID_PARAM");
    expectError(await receipt(alice, room, "m.read", reply, { thread_id: "$another" }), 400, "M_INVALID_PARAM");
    await until("one receipt", () => receipts.length === 1);
    expect(receipts[0]!.threadId).toBe(msg);
  });

  it("refuses bad types, unknown or foreign events, rooms not seen and bad thread_ids, publishing nothing", async () => {
    const theirs = await send(bob, other, { msgtype: "m.text", body: "private" });
    receipts.length = 0;
    expectError(await receipt(alice, room, "m.unread", msg), 400, "M_INVALID_PARAM");
    expectError(await receipt(alice, room, "m.read", "not-an-event"), 400, "M_INVALID_PARAM");
    expectError(await receipt(alice, room, "m.read", "$unknown:test.local"), 404, "M_NOT_FOUND");
    // An event of another room, named with this one.
    expectError(await receipt(bob, other, "m.read", msg), 404, "M_NOT_FOUND");
    // A room alice is not in: its events are not hers to see.
    expectError(await receipt(alice, other, "m.read", theirs), 404, "M_NOT_FOUND");
    expectError(await receipt(alice, room, "m.read", msg, { thread_id: "" }), 400, "M_INVALID_PARAM");
    expectError(await receipt(alice, room, "m.read", msg, { thread_id: 5 }), 400, "M_INVALID_PARAM");
    expectError(await receipt(alice, room, "m.fully_read", msg, { thread_id: "main" }), 400, "M_INVALID_PARAM");
    expectError(await call(s, "POST", `/rooms/${enc(room)}/receipt/m.read/${enc(msg)}`, {}), 401, "M_MISSING_TOKEN");
    await settle();
    expect(receipts).toEqual([]);
  });
});

describe("POST /read_markers", () => {
  it("sets the fully read marker and both receipts", async () => {
    const next = await send(alice, room, { msgtype: "m.text", body: "next" });
    receipts.length = 0;
    const r = await call(s, "POST", `/rooms/${enc(room)}/read_markers`, { "m.fully_read": next, "m.read": next, "m.read.private": msg }, alice.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { body } = await s.userapi.queryAccountData({ body: { userId: alice.userId, roomId: room, type: "m.fully_read" } });
    expect((body as { content: unknown }).content).toEqual({ event_id: next });
    await until("two receipts", () => receipts.length === 2);
    expect(receipts.map((x) => [x.receiptType, x.eventId])).toEqual([
      ["m.read", next],
      ["m.read.private", msg],
    ]);
  });

  it("with one bad event sets nothing", async () => {
    const last = await send(alice, room, { msgtype: "m.text", body: "last" });
    receipts.length = 0;
    expectError(await call(s, "POST", `/rooms/${enc(room)}/read_markers`, { "m.fully_read": last, "m.read": "$nope:test.local" }, alice.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "POST", `/rooms/${enc(room)}/read_markers`, { "m.fully_read": 7 }, alice.token), 400, "M_BAD_JSON");
    const { body } = await s.userapi.queryAccountData({ body: { userId: alice.userId, roomId: room, type: "m.fully_read" } });
    expect((body as { content: { event_id?: unknown } }).content.event_id).not.toBe(last);
    await settle();
    expect(receipts).toEqual([]);
  });

  it("m.fully_read stays refused through the account data route", async () => {
    expectError(await call(s, "PUT", `/user/${enc(alice.userId)}/rooms/${enc(room)}/account_data/m.fully_read`, { event_id: msg }, alice.token), 405, "M_BAD_JSON");
  });
});
