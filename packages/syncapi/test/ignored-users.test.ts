// Ignoring users (client-server API, "Ignoring Users"): once alice puts bob in her
// m.ignored_user_list, no non-state event of his reaches her — /sync (initial, incremental,
// limited, the live answer), /messages, /context, /event, invites and aggregations — while his
// state events still do, and the list itself syncs as account data.
import { observeQueries } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, setState, startHarness, stateOf, sync, timelineIds, type Harness, type User } from "./harness";

const OVERVIEW = "WITH p AS MATERIALIZED";

describe("ignoring users", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  const room = (id: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(id)}`;
  const thread = (body: string, rel_type: string, event_id: string) => ({
    content: { msgtype: "m.text", body, "m.relates_to": { rel_type, event_id } },
  });
  /** Alice's m.ignored_user_list, as her client would PUT it (through userapi), held by the syncapi. */
  const ignore = async (...users: User[]) => {
    const ignored_users = Object.fromEntries(users.map((u) => [u.userId, {}]));
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "m.ignored_user_list", content: { ignored_users } } });
    await h.waitForAccountData(alice.userId, "m.ignored_user_list", (c) => JSON.stringify(c.ignored_users) === JSON.stringify(ignored_users));
  };

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    carol = await h.user("carol");
    roomId = await createRoom(h, alice, { preset: "public_chat" });
    await h.waitForEvents(await join(h, bob, roomId), await join(h, carol, roomId));
  });
  afterAll(() => h.close());

  it("/sync leaves out his messages but keeps his state events (a displayname change); the list itself syncs", async () => {
    const before = await sync(h, alice);
    await ignore(bob);
    const fromBob = await send(h, bob, roomId, "ignored");
    const topic = await setState(h, bob, roomId, "m.room.member", { membership: "join", displayname: "Bob" }, bob.userId);
    const fromCarol = await send(h, carol, roomId, "seen");
    await h.waitForEvents(fromBob, topic, fromCarol);

    const res = await sync(h, alice, { since: before.next_batch });
    expect(timelineIds(res, roomId)).toEqual([topic, fromCarol]);
    expect(res.account_data.events).toContainEqual({ type: "m.ignored_user_list", content: { ignored_users: { [bob.userId]: {} } } });

    // Initial and limited: his member event is room state, his message is gone.
    const initial = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    const all = [...timelineIds(initial, roomId), ...stateOf(initial, roomId).map((e: any) => e.event_id)];
    expect(all).toContain(topic);
    expect(all).not.toContain(fromBob);
    // The limit counts only what she is shown: two of the events before it, neither his message.
    expect(timelineIds(initial, roomId)).toEqual([topic, fromCarol]);
    expect(initial.rooms.join[roomId].timeline.limited).toBe(true);
    // Bob himself still sees his message.
    expect(timelineIds(await sync(h, bob, { since: before.next_batch }), roomId)).toContain(fromBob);
  });

  it("a long-poll is not answered with his message, and answers the next one from memory", async () => {
    await ignore(bob);
    const start = await sync(h, alice);
    const answer = await sync(h, alice, { since: start.next_batch, timeout: 0 });
    let overviews = 0;
    observeQueries((q) => {
      if (q.includes(OVERVIEW)) overviews++;
    });
    try {
      const pending = sync(h, alice, { since: answer.next_batch, timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 150));
      const fromBob = await send(h, bob, roomId, "while alice waits");
      await h.waitForEvents(fromBob);
      await new Promise((r) => setTimeout(r, 150));
      const fromCarol = await send(h, carol, roomId, "carol while alice waits");
      await h.waitForEvents(fromCarol);
      const woken = await pending;
      expect(timelineIds(woken, roomId)).toEqual([fromCarol]);
      const afterBob = overviews;
      // Bob's message sent her to the database (which found nothing to show); carol's is answered
      // from the message itself: the ignore list is held, not read.
      const next = sync(h, alice, { since: woken.next_batch, timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 150));
      const again = await send(h, carol, roomId, "and again");
      await h.waitForEvents(again);
      expect(timelineIds(await next, roomId)).toEqual([again]);
      expect(overviews).toBe(afterBob);
    } finally {
      observeQueries(undefined);
    }
  });

  it("/messages and /context leave out his messages; /event and /context of one are 404", async () => {
    await ignore(bob);
    const a = await send(h, carol, roomId, "before");
    const fromBob = await send(h, bob, roomId, "middle");
    const name = await setState(h, bob, roomId, "m.room.member", { membership: "join", displayname: "Robert" }, bob.userId);
    const b = await send(h, carol, roomId, "after");
    await h.waitForEvents(a, fromBob, name, b);

    const msgs = await h.get(alice, `${room(roomId)}/messages`, { dir: "b", limit: 3 });
    expect(msgs.body.chunk.map((e: any) => e.event_id)).toEqual([b, name, a]);
    // The event itself, a state event of his, is shown; one on either side, past his message.
    const ctx = await h.get(alice, `${room(roomId)}/context/${encodeURIComponent(name)}`, { limit: 2 });
    expect(ctx.status).toBe(200);
    expect(ctx.body.event.event_id).toBe(name);
    expect(ctx.body.events_before.map((e: any) => e.event_id)).toEqual([a]);
    expect(ctx.body.events_after.map((e: any) => e.event_id)).toEqual([b]);
    expect((await h.get(alice, `${room(roomId)}/context/${encodeURIComponent(fromBob)}`)).status).toBe(404);
    expect((await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(fromBob)}`)).body.errcode).toBe("M_NOT_FOUND");
    expect((await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(name)}`)).status).toBe(200);
    expect((await h.get(carol, `${room(roomId)}/event/${encodeURIComponent(fromBob)}`)).status).toBe(200);
  });

  it("his invites are not shown; others' are", async () => {
    await ignore(bob);
    const before = await sync(h, alice);
    const bobs = await createRoom(h, bob, { preset: "private_chat" });
    const carols = await createRoom(h, carol, { preset: "private_chat" });
    const inv1 = (await h.roomserver.performInvite({ body: { sender: bob.userId, roomId: bobs, invitee: alice.userId } })).body.eventId;
    const inv2 = (await h.roomserver.performInvite({ body: { sender: carol.userId, roomId: carols, invitee: alice.userId } })).body.eventId;
    await h.waitForInvite(inv1);
    await h.waitForInvite(inv2);
    const res = await sync(h, alice, { since: before.next_batch });
    expect(Object.keys(res.rooms.invite)).toEqual([carols]);
    expect(Object.keys((await sync(h, alice)).rooms.invite)).not.toContain(bobs);
  });

  it("his thread replies and references are not aggregated; /threads redacts his roots", async () => {
    await ignore(bob);
    const root = await send(h, carol, roomId, "root");
    const mine = await send(h, carol, roomId, "", thread("carol's reply", "m.thread", root));
    const his = await send(h, bob, roomId, "", thread("bob's reply", "m.thread", root));
    const ref = await send(h, bob, roomId, "", thread("bob's ref", "m.reference", root));
    const bobRoot = await send(h, bob, roomId, "bob's root");
    const onBobRoot = await send(h, carol, roomId, "", thread("carol on bob's", "m.thread", bobRoot));
    const onlyBob = await send(h, carol, roomId, "root with only bob");
    const bobOnly = await send(h, bob, roomId, "", thread("bob alone", "m.thread", onlyBob));
    await h.waitForEvents(root, mine, his, ref, bobRoot, onBobRoot, onlyBob, bobOnly);

    const ev = (await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(root)}`)).body;
    expect(ev.unsigned["m.relations"]["m.thread"]).toMatchObject({ count: 1, latest_event: { event_id: mine } });
    expect(ev.unsigned["m.relations"]["m.reference"]).toBeUndefined();
    // Carol, who ignores nobody, sees both.
    const hers = (await h.get(carol, `${room(roomId)}/event/${encodeURIComponent(root)}`)).body;
    expect(hers.unsigned["m.relations"]["m.thread"]).toMatchObject({ count: 2, latest_event: { event_id: his } });

    const rels = (await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(root)}`)).body;
    expect(rels.chunk.map((e: any) => e.event_id)).toEqual([mine]);

    const threads = (await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/threads`)).body.chunk;
    const ids = threads.map((e: any) => e.event_id);
    expect(ids).toContain(root);
    expect(ids).not.toContain(onlyBob);
    const redacted = threads.find((e: any) => e.event_id === bobRoot);
    expect(redacted.content).toEqual({});
    expect(redacted.unsigned["m.relations"]["m.thread"]).toMatchObject({ count: 1, latest_event: { event_id: onBobRoot } });
  });

  it("removing him from the list shows his new messages again", async () => {
    await ignore(bob);
    const before = await sync(h, alice);
    await ignore();
    const fromBob = await send(h, bob, roomId, "welcome back");
    await h.waitForEvents(fromBob);
    expect(timelineIds(await sync(h, alice, { since: before.next_batch }), roomId)).toEqual([fromBob]);
    expect((await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(fromBob)}`)).status).toBe(200);
  });
});
