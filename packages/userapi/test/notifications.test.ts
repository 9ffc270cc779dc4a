// Notifications from the streams: a real roomserver and eduserver publish, userapi consumes,
// evaluates push rules, keeps unread counts and publishes OutputNotificationData.
import { eduserverContract, createEduserver, receiptSubject, type EduserverClient } from "@dendrite-ts/eduserver";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createRoomserver, outputSubject, roomserverContract, type OutputRoomEvent, type Roomserver, type RoomserverClient } from "@dendrite-ts/roomserver";
import { createEmbeddedStreams, localClient, openTestDatabase, type Database, type Streams, type Subscription } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserapi, OUTPUT_NOTIFICATION_DATA, userapiContract, type OutputNotificationData, type Userapi, type UserapiClient } from "../src/index";
import { SERVER } from "./harness";

const ALICE = `@alice:${SERVER}`;
const BOB = `@bob:${SERVER}`;
const CAROL = `@carol:${SERVER}`;
const REMOTE = "@dave:elsewhere.example";

let db: Database;
let streams: Streams;
let rs: Roomserver;
let roomserver: RoomserverClient;
let userapi: Userapi;
let client: UserapiClient;
let edu: EduserverClient;
let sub: Subscription;
/** Every OutputNotificationData message, in arrival order. */
const published: OutputNotificationData[] = [];
/** Latest counts per "user|room". */
const counts = new Map<string, { n: number; h: number }>();

beforeAll(async () => {
  db = await openTestDatabase();
  streams = await createEmbeddedStreams(db, { pollMs: 20 });
  rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:t") });
  roomserver = localClient(roomserverContract, rs.api);
  userapi = await createUserapi({
    db,
    streams,
    serverName: SERVER,
    registration: { open: true, tokensEnabled: false },
    passwordHashing: { logN: 10, r: 8, p: 1 },
    notifications: { streams, roomserver },
  });
  client = localClient(userapiContract, userapi.api);
  edu = localClient(eduserverContract, (await createEduserver({ streams })).api);
  for (const u of ["alice", "bob", "carol"]) await client.createAccount({ body: { localpart: u, password: "pw-long-enough", accountType: "user" } });
  await streams.ensureConsumer(OUTPUT_NOTIFICATION_DATA, "test_sync");
  sub = await streams.consume(OUTPUT_NOTIFICATION_DATA, "test_sync", (m) => {
    const msg = m.json<OutputNotificationData>();
    published.push(msg);
    for (const c of msg.counts) counts.set(`${c.userId}|${msg.roomId}`, { n: c.notificationCount, h: c.highlightCount });
  });
});

afterAll(async () => {
  await sub?.stop();
  await userapi?.close();
  await rs?.close();
  await streams?.close();
  await db?.close();
});

async function until<T>(f: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the room-event consumer has processed the event. */
async function processed(eventId: string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const rows = await db.sql`SELECT 1 FROM userapi.push_events WHERE event_id = ${eventId}`;
    if (rows.length > 0) return;
    if (Date.now() > end) throw new Error(`event ${eventId} not processed`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function send(roomId: string, sender: string, content: Record<string, unknown>, type = "m.room.message"): Promise<string> {
  const { body } = await roomserver.performSendEvent({ body: { sender, roomId, type, content } });
  await processed(body.eventId);
  return body.eventId;
}

const text = (body: string, extra: Record<string, unknown> = {}) => ({ msgtype: "m.text", body, ...extra });
const countOf = (userId: string, roomId: string) => counts.get(`${userId}|${roomId}`);

async function newRoom(...joiners: string[]): Promise<string> {
  const { body } = await roomserver.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } });
  for (const u of joiners) await roomserver.performJoin({ body: { userId: u, roomIdOrAlias: body.roomId } });
  const { body: latest } = await roomserver.queryLatestEventsAndState({ body: { roomId: body.roomId, stateToFetch: [] } });
  for (const id of latest.latestEventIds) await processed(id);
  return body.roomId;
}

describe("notifications from the room stream", () => {
  let room: string;
  beforeAll(async () => {
    room = await newRoom(BOB, CAROL);
  });

  it("a plain message raises the other members' notification counts, not the sender's", async () => {
    await send(room, BOB, text("hello"));
    await until(() => countOf(ALICE, room)?.n === 1 && countOf(CAROL, room)?.n === 1, "counts 1");
    expect(countOf(ALICE, room)).toEqual({ n: 1, h: 0 });
    expect(countOf(BOB, room)).toBeUndefined();
  });

  it("a mention highlights the mentioned user only; a notice is not counted", async () => {
    await send(room, BOB, text("alice?", { "m.mentions": { user_ids: [ALICE] } }));
    await send(room, BOB, { msgtype: "m.notice", body: "bot noise" });
    await until(() => countOf(ALICE, room)?.n === 2, "alice 2");
    expect(countOf(ALICE, room)).toEqual({ n: 2, h: 1 });
    expect(countOf(CAROL, room)).toEqual({ n: 2, h: 0 });
  });

  it("an @room mention highlights only from a sender with the power (creator has it, Bob not)", async () => {
    await send(room, BOB, text("@room from bob", { "m.mentions": { room: true } }));
    await until(() => countOf(CAROL, room)?.n === 3, "carol 3");
    expect(countOf(CAROL, room)).toEqual({ n: 3, h: 0 });
    await send(room, ALICE, text("@room from alice", { "m.mentions": { room: true } }));
    await until(() => countOf(CAROL, room)?.n === 4, "carol 4");
    expect(countOf(CAROL, room)).toEqual({ n: 4, h: 1 });
  });

  it("the user's own message marks everything before it read", async () => {
    // Alice sent the last message herself: her counts went back to zero.
    await until(() => countOf(ALICE, room)?.n === 0, "alice 0");
    expect(countOf(ALICE, room)).toEqual({ n: 0, h: 0 });
  });

  it("a read receipt (m.read or m.read.private, the further one) clears up to its event", async () => {
    const first = await send(room, BOB, text("one"));
    const second = await send(room, BOB, text("two", { "m.mentions": { user_ids: [ALICE] } }));
    await send(room, BOB, text("three"));
    await until(() => countOf(ALICE, room)?.n === 3, "alice 3");
    expect(countOf(ALICE, room)).toEqual({ n: 3, h: 1 });
    await edu.performReceipt({ body: { roomId: room, userId: ALICE, receiptType: "m.read.private", eventId: second } });
    await until(() => countOf(ALICE, room)?.n === 1, "alice 1 after receipt");
    expect(countOf(ALICE, room)).toEqual({ n: 1, h: 0 });
    // A receipt behind the further one changes nothing.
    const before = published.length;
    await edu.performReceipt({ body: { roomId: room, userId: ALICE, receiptType: "m.read", eventId: first } });
    await new Promise((r) => setTimeout(r, 300));
    expect(countOf(ALICE, room)).toEqual({ n: 1, h: 0 });
    expect(published.length).toBe(before);
  });

  it("a threaded receipt clears only its thread; an unthreaded one clears all", async () => {
    const root = await send(room, CAROL, text("root"));
    await edu.performReceipt({ body: { roomId: room, userId: ALICE, receiptType: "m.read", eventId: root } });
    await until(() => countOf(ALICE, room)?.n === 0, "alice 0");
    const inThread = await send(room, BOB, text("in thread", { "m.relates_to": { rel_type: "m.thread", event_id: root } }));
    const main = await send(room, BOB, text("main"));
    await until(() => countOf(ALICE, room)?.n === 2, "alice 2");
    await edu.performReceipt({ body: { roomId: room, userId: ALICE, receiptType: "m.read", eventId: main, threadId: "main" } });
    await until(() => countOf(ALICE, room)?.n === 1, "alice 1: the thread's stays");
    await edu.performReceipt({ body: { roomId: room, userId: ALICE, receiptType: "m.read", eventId: inThread, threadId: root } });
    await until(() => countOf(ALICE, room)?.n === 0, "alice 0");
  });

  it("user-defined rules apply: a muted room counts nothing, display-name rules highlight", async () => {
    const muted = await newRoom(BOB);
    const rules = {
      global: {
        room: [{ rule_id: muted, default: false, enabled: true, actions: [] }],
        override: [{ rule_id: "name", default: false, enabled: true, conditions: [{ kind: "contains_display_name" }], actions: ["notify", { set_tweak: "highlight" }] }],
      },
    };
    await client.setAccountData({ body: { userId: ALICE, roomId: null, type: "m.push_rules", content: rules } });
    await send(muted, BOB, text("quiet"));
    await roomserver.performSendEvent({ body: { sender: ALICE, roomId: room, type: "m.room.member", stateKey: ALICE, content: { membership: "join", displayname: "Alice Liddell" } } }).then((r) => processed(r.body.eventId));
    await send(room, BOB, text("hi alice liddell"));
    await until(() => countOf(ALICE, room)?.h === 1 && countOf(ALICE, room)?.n === 1, "alice highlighted");
    expect(countOf(ALICE, muted)).toBeUndefined();
    await client.setAccountData({ body: { userId: ALICE, roomId: null, type: "m.push_rules", content: {} } });
  });

  it("a remote member is not evaluated; an invite notifies the local invitee", async () => {
    const r = await newRoom(BOB);
    await roomserver.performInvite({ body: { sender: ALICE, roomId: r, invitee: CAROL } });
    await until(() => countOf(CAROL, r)?.n === 1, "carol invited");
    expect(countOf(REMOTE, r)).toBeUndefined();
  });

  it("a redelivered event changes nothing and publishes nothing", async () => {
    const id = await send(room, BOB, text("once"));
    await until(() => published.some((m) => m.roomId === room && m.counts.some((c) => c.streamPos > 0 && c.userId === CAROL)), "published");
    await new Promise((r) => setTimeout(r, 200));
    const before = { published: published.length, alice: countOf(ALICE, room)! };
    // The very message the roomserver published, published again.
    let again: OutputRoomEvent | undefined;
    await streams.ensureConsumer("OutputRoomEvent", "test_dup");
    const dup = await streams.consume("OutputRoomEvent", "test_dup", (m) => {
      const o = m.json<OutputRoomEvent>();
      if (o.kind === "new_room_event" && o.eventId === id) again = o;
    });
    await until(() => again, "the original message");
    await dup.stop();
    await streams.publish(outputSubject(room), again!);
    const marker = await send(room, BOB, text("after the duplicate"));
    await processed(marker);
    await until(() => countOf(ALICE, room)?.n === before.alice.n + 1, "alice one more");
    await new Promise((r) => setTimeout(r, 200));
    // One message for the marker only: the duplicate added nothing.
    expect(published.length).toBe(before.published + 1);
  });

  it("a receipt that overtakes its event is applied when the event comes", async () => {
    await until(() => countOf(ALICE, room)!.n > 0, "alice has unread");
    const { body: latest } = await roomserver.queryLatestEventsAndState({ body: { roomId: room, stateToFetch: [] } });
    const later = "$later-event";
    await streams.publish(receiptSubject(room), { roomId: room, userId: ALICE, receiptType: "m.read", eventId: later, threadId: null, ts: 1 });
    await until(async () => (await db.sql`SELECT 1 FROM userapi.pending_receipts WHERE event_id = ${later}`).length > 0, "pending receipt");
    const ev = { type: "m.room.message", room_id: room, sender: BOB, content: text("later"), prev_events: latest.latestEventIds, origin_server_ts: Date.now(), depth: 1 };
    const out: OutputRoomEvent = {
      kind: "new_room_event", roomId: room, roomVersion: "12", event: ev, eventId: later,
      addsStateEventIds: [], removesStateEventIds: [], stateBeforeAddsEventIds: [], stateBeforeRemovesEventIds: [], latestEventIds: [later],
    };
    await streams.publish(outputSubject(room), out);
    await until(() => countOf(ALICE, room)?.n === 0, "alice read up to the later event");
    expect(countOf(ALICE, room)).toEqual({ n: 0, h: 0 });
  });

  it("stores each notification with its actions", async () => {
    const rows = await db.sql`SELECT event_id, highlight, actions FROM userapi.notifications WHERE localpart = 'alice' ORDER BY pos`;
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.some((r) => r.highlight === true)).toBe(true);
    expect(rows.every((r) => Array.isArray(r.actions) && (r.actions as unknown[]).includes("notify"))).toBe(true);
  });
});
