/**
 * Typing and receipts in /sync (typing_notifications.md, receipts.md): eduserver's streams
 * reach join sections' `ephemeral` — m.typing with the users typing now in rooms whose list
 * changed since the token, m.receipt with the receipts that moved (all of a room's latest ones in
 * an initial sync), another user's m.read.private never — and wake long-polls. Renewals and
 * redelivered receipts are no news; tokens stay valid across a restart and in the older form.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClient } from "@dendrite-ts/runtime";
import { createEduserver, eduserverContract, receiptSubject, type Eduserver, type EduserverClient } from "@dendrite-ts/eduserver";
import { createRoom, join, send, startHarness, sync, type Harness, type User } from "./harness";

let h: Harness;
let eduImpl: Eduserver;
let edu: EduserverClient;
let alice: User;
let bob: User;
let room: string;
let msg: string;

const ephemeral = (res: any, roomId: string): any[] => res.rooms.join[roomId]?.ephemeral.events ?? [];
const typingOf = (res: any, roomId: string) => ephemeral(res, roomId).find((e) => e.type === "m.typing")?.content.user_ids;
const receiptOf = (res: any, roomId: string) => ephemeral(res, roomId).find((e) => e.type === "m.receipt")?.content;
const startTyping = (user: User, roomId = room, timeoutMs = 30_000) => edu.performTyping({ body: { roomId, userId: user.userId, typing: true, timeoutMs } });
const stopTyping = (user: User, roomId = room) => edu.performTyping({ body: { roomId, userId: user.userId, typing: false } });
const typingPos = (token: string) => Number(token.split("_")[3]);
/** A long-poll from `since` that must come back with news (it waits for the stream). */
const next = (user: User, since: string) => sync(h, user, { since, timeout: 10_000 });

beforeAll(async () => {
  h = await startHarness();
  eduImpl = await createEduserver({ streams: h.streams });
  edu = localClient(eduserverContract, eduImpl.api);
  alice = await h.user("alice");
  bob = await h.user("bob");
  room = await createRoom(h, alice);
  await join(h, bob, room);
  msg = await send(h, alice, room, "hello");
  await h.waitForEvents(msg);
});
afterAll(async () => {
  await eduImpl?.close();
  await h?.close();
});

describe("m.typing", () => {
  it("wakes a long-poll with who is typing, then with the empty list when they stop", async () => {
    const first = await sync(h, bob);
    const poll = next(bob, first.next_batch);
    await startTyping(alice);
    const typing = await poll;
    expect(typingOf(typing, room)).toEqual([alice.userId]);
    expect(typing.rooms.join[room].timeline.events).toEqual([]);

    const poll2 = next(bob, typing.next_batch);
    await stopTyping(alice);
    expect(typingOf(await poll2, room)).toEqual([]);
  });

  it("an initial sync shows who is typing now; a renewal is no news", async () => {
    const since = (await sync(h, alice)).next_batch;
    await startTyping(bob);
    const got = await next(alice, since);
    expect(typingOf(got, room)).toEqual([bob.userId]);
    expect(typingOf(await sync(h, alice), room)).toEqual([bob.userId]);
    // The renewal, then one change: one typing position further, not two.
    await startTyping(bob, room, 60_000);
    await startTyping(alice);
    const after = await next(alice, got.next_batch);
    expect(typingOf(after, room)?.sort()).toEqual([alice.userId, bob.userId].sort());
    expect(typingPos(after.next_batch) - typingPos(got.next_batch)).toBe(1);
    await stopTyping(alice);
    await stopTyping(bob);
  });

  it("a timeout that runs out ends the typing", async () => {
    const since = (await sync(h, bob)).next_batch;
    // Long enough for the start to be read before it runs out, on a slow machine too.
    await startTyping(alice, room, 1500);
    const started = await next(bob, since);
    expect(typingOf(started, room)).toEqual([alice.userId]);
    expect(typingOf(await next(bob, started.next_batch), room)).toEqual([]);
  });
});

describe("m.receipt", () => {
  it("a receipt reaches the other member's long-poll; a private one only its owner", async () => {
    const since = (await sync(h, alice)).next_batch;
    const poll = next(alice, since);
    await edu.performReceipt({ body: { roomId: room, userId: bob.userId, receiptType: "m.read", eventId: msg } });
    const got = await poll;
    const content = receiptOf(got, room);
    expect(Object.keys(content)).toEqual([msg]);
    expect(content[msg]["m.read"][bob.userId]).toEqual({ ts: expect.any(Number) });

    const bobSince = (await sync(h, bob)).next_batch;
    await edu.performReceipt({ body: { roomId: room, userId: bob.userId, receiptType: "m.read.private", eventId: msg, threadId: "main" } });
    const own = await next(bob, bobSince);
    expect(receiptOf(own, room)[msg]["m.read.private"][bob.userId]).toEqual({ ts: expect.any(Number), thread_id: "main" });
    // Alice is told nothing: her sync from before it is empty.
    const hers = await sync(h, alice, { since: got.next_batch });
    expect(receiptOf(hers, room)).toBeUndefined();
  });

  it("an initial sync carries the latest receipts of each room", async () => {
    const second = await send(h, bob, room, "second");
    await h.waitForEvents(second);
    await edu.performReceipt({ body: { roomId: room, userId: alice.userId, receiptType: "m.read", eventId: second } });
    await next(bob, (await sync(h, bob)).next_batch);
    const initial = receiptOf(await sync(h, bob), room);
    expect(initial[second]["m.read"][alice.userId]).toBeDefined();
    expect(initial[msg]["m.read"][bob.userId]).toBeDefined();
    expect(initial[msg]["m.read.private"][bob.userId]).toBeDefined();
    const theirs = receiptOf(await sync(h, alice), room);
    expect(theirs[msg]["m.read.private"]).toBeUndefined();
  });

  it("a redelivered receipt is no news", async () => {
    const res = await sync(h, alice);
    const stored = receiptOf(res, room)[msg]["m.read"][bob.userId];
    // The same message again, as a redelivery would bring it.
    await h.streams.publish(receiptSubject(room), { roomId: room, userId: bob.userId, receiptType: "m.read", eventId: msg, threadId: null, ts: stored.ts });
    // A later receipt in another room tells us the redelivery was consumed.
    const other = await createRoom(h, bob);
    const otherMsg = await send(h, bob, other, "x");
    await h.waitForEvents(otherMsg);
    const since = (await sync(h, bob)).next_batch;
    await h.streams.publish(receiptSubject(room), { roomId: room, userId: bob.userId, receiptType: "m.read", eventId: msg, threadId: null, ts: stored.ts });
    await edu.performReceipt({ body: { roomId: other, userId: bob.userId, receiptType: "m.read", eventId: otherMsg } });
    const got = await next(bob, since);
    expect(Object.keys(got.rooms.join)).toEqual([other]);
    expect(Object.keys(receiptOf(got, other))).toEqual([otherMsg]);
  });
});

describe("tokens", () => {
  it("a token from before a restart, and one of the older form, are still taken", async () => {
    const before = (await sync(h, bob)).next_batch;
    expect(before).toMatch(/^s\d+(?:_\d+){3,}$/);
    await h.restartSyncapi();
    const after = await sync(h, bob, { since: before });
    expect(after.next_batch).toMatch(/^s\d+(?:_\d+){3,}$/);
    // Typing after the restart reaches a client whose token is from before it.
    const poll = next(bob, before);
    await startTyping(alice);
    expect(typingOf(await poll, room)).toEqual([alice.userId]);
    await stopTyping(alice);
    const [, r, a] = /^s(\d+)_(\d+)_/.exec(before)!;
    const old = await sync(h, bob, { since: `s${r}_${a}` });
    expect(old.next_batch).toMatch(/^s\d+(?:_\d+){3,}$/);
  });
});
