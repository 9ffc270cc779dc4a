/**
 * Unread notification counts in /sync (push.md "Receiving notifications", sync.yaml
 * `unread_notifications`): userapi evaluates push rules and publishes OutputNotificationData;
 * syncapi stores it at account-data positions, wakes long-polls, and every join section carries
 * the room's counts — news on their own when they change, and in an initial sync.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClient } from "@dendrite-ts/runtime";
import { roomserverContract } from "@dendrite-ts/roomserver";
import { createEduserver, eduserverContract, type Eduserver, type EduserverClient } from "@dendrite-ts/eduserver";
import { createUserapi, notificationDataSubject, type OutputNotificationData, type Userapi } from "@dendrite-ts/userapi";
import { createRoom, join, send, startHarness, sync, type Harness, type User } from "./harness";

let h: Harness;
/** A userapi that keeps notifications, on the harness's database and streams. */
let notifying: Userapi;
let eduImpl: Eduserver;
let edu: EduserverClient;
let alice: User;
let bob: User;
let room: string;

const unreadOf = (res: any, roomId: string) => res.rooms.join[roomId]?.unread_notifications;
/** A long-poll from `since` that must come back with news. */
const next = (user: User, since: string) => sync(h, user, { since, timeout: 10_000 });

/** Long-polls from `since` until the room's counts are `want` (news may come in more than one answer). */
async function untilCounts(user: User, since: string, roomId: string, want: { notification_count: number; highlight_count: number }): Promise<any> {
  let token = since;
  for (let i = 0; i < 20; i++) {
    const res = await next(user, token);
    token = res.next_batch;
    const got = unreadOf(res, roomId);
    if (got && got.notification_count === want.notification_count && got.highlight_count === want.highlight_count) return res;
  }
  throw new Error(`counts never became ${JSON.stringify(want)}`);
}

beforeAll(async () => {
  h = await startHarness();
  notifying = await createUserapi({
    db: h.db,
    streams: h.streams,
    serverName: "test.local",
    registration: { open: true, tokensEnabled: false },
    notifications: { streams: h.streams, roomserver: localClient(roomserverContract, h.rs.api) },
  });
  eduImpl = await createEduserver({ streams: h.streams });
  edu = localClient(eduserverContract, eduImpl.api);
  alice = await h.user("alice");
  bob = await h.user("bob");
  room = await createRoom(h, alice);
  await join(h, bob, room);
  await h.waitForEvents(await send(h, alice, room, "welcome"));
});
afterAll(async () => {
  await eduImpl?.close();
  await notifying?.close();
  await h?.close();
});

describe("unread_notifications", () => {
  it("Bob's messages raise Alice's counts in a long-poll; a mention highlights", async () => {
    const first = await sync(h, alice);
    expect(unreadOf(first, room)).toEqual({ notification_count: 0, highlight_count: 0 });
    await send(h, bob, room, "hi alice");
    const one = await untilCounts(alice, first.next_batch, room, { notification_count: 1, highlight_count: 0 });
    await send(h, bob, room, "look", { content: { msgtype: "m.text", body: "look", "m.mentions": { user_ids: [alice.userId] } } });
    const two = await untilCounts(alice, one.next_batch, room, { notification_count: 2, highlight_count: 1 });
    // Bob's own messages do not count for him.
    expect(unreadOf(await sync(h, bob), room)).toEqual({ notification_count: 0, highlight_count: 0 });
    // An initial sync carries the counts as they are.
    expect(unreadOf(await sync(h, alice), room)).toEqual({ notification_count: 2, highlight_count: 1 });
    // Nothing changed since: a short poll is empty of the room.
    const quiet = await sync(h, alice, { since: two.next_batch, timeout: 0 });
    expect(quiet.rooms.join[room]).toBeUndefined();
  });

  it("Alice's read receipt resets them, and the reset alone wakes her long-poll", async () => {
    const since = (await sync(h, alice)).next_batch;
    const latest = await send(h, bob, room, "third");
    await h.waitForEvents(latest);
    const three = await untilCounts(alice, since, room, { notification_count: 3, highlight_count: 1 });
    const poll = next(alice, three.next_batch);
    await edu.performReceipt({ body: { roomId: room, userId: alice.userId, receiptType: "m.read", eventId: latest } });
    let res = await poll;
    if (unreadOf(res, room)?.notification_count !== 0) res = await untilCounts(alice, res.next_batch, room, { notification_count: 0, highlight_count: 0 });
    expect(unreadOf(res, room)).toEqual({ notification_count: 0, highlight_count: 0 });
  });

  it("her own message resets them too", async () => {
    const since = (await sync(h, alice)).next_batch;
    await send(h, bob, room, "four");
    const got = await untilCounts(alice, since, room, { notification_count: 1, highlight_count: 0 });
    await send(h, alice, room, "I am here");
    await untilCounts(alice, got.next_batch, room, { notification_count: 0, highlight_count: 0 });
  });

  it("a redelivered or older OutputNotificationData changes nothing and wakes nobody", async () => {
    const before = await sync(h, alice);
    const current = unreadOf(before, room);
    const stale: OutputNotificationData = { roomId: room, counts: [{ userId: alice.userId, notificationCount: 42, highlightCount: 7, streamPos: 1 }] };
    await h.streams.publish(notificationDataSubject(room), stale);
    const quiet = await sync(h, alice, { since: before.next_batch, timeout: 800 });
    expect(quiet.rooms.join[room]).toBeUndefined();
    expect(unreadOf(await sync(h, alice), room)).toEqual(current);
  });
});
