// /sync sections beyond join: invites with stripped state, leaves with the leave event, account
// data and tags, lazy-loaded members; and a duplicate OutputRoomEvent reaching no client.
import { outputSubject, type OutputRoomEvent } from "@dendrite-ts/roomserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, startHarness, stateOf, sync, timelineIds, type Harness, type User } from "./harness";

describe("/sync rooms and account data", () => {
  let h: Harness;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(() => h.close());

  it("an invite shows in rooms.invite with stripped state, then moves to join once accepted", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat", name: "Secret plans" });
    const before = await sync(h, bob);
    const { body } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    await h.waitForInvite(body.eventId);
    const res = await sync(h, bob, { since: before.next_batch });
    const invite = res.rooms.invite[roomId];
    expect(invite).toBeDefined();
    const stripped = invite.invite_state.events;
    expect(stripped.find((e: any) => e.type === "m.room.name")?.content).toEqual({ name: "Secret plans" });
    expect(stripped.find((e: any) => e.type === "m.room.member" && e.state_key === bob.userId)?.content.membership).toBe("invite");
    expect(stripped.find((e: any) => e.type === "m.room.create")).toBeDefined();
    for (const e of stripped) expect(Object.keys(e).sort()).toEqual(["content", "sender", "state_key", "type"]);
    // Bob's initial sync shows it too; and nothing of the room's timeline.
    expect((await sync(h, bob)).rooms.invite[roomId]).toBeDefined();
    expect(res.rooms.join[roomId]).toBeUndefined();

    const joinId = await join(h, bob, roomId);
    await h.waitForEvents(joinId);
    const after = await sync(h, bob, { since: res.next_batch, filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    expect(after.rooms.invite[roomId]).toBeUndefined();
    expect(timelineIds(after, roomId)).toContain(joinId);
    // Newly joined: the full state at the start of the timeline comes along, not just changes since `since`.
    expect(after.rooms.join[roomId].timeline.limited).toBe(true);
    expect(stateOf(after, roomId).map((e: any) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.name", "m.room.power_levels"]));
    expect((await sync(h, bob)).rooms.invite[roomId]).toBeUndefined();
  });

  it("a rejected invite leaves rooms.invite for rooms.leave; heroes name the other members", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const { body } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    await h.waitForInvite(body.eventId);
    const invited = await sync(h, bob);
    expect(invited.rooms.invite[roomId]).toBeDefined();
    expect((await sync(h, alice)).rooms.join[roomId].summary).toEqual({ "m.heroes": [bob.userId], "m.joined_member_count": 1, "m.invited_member_count": 1 });
    const { body: reject } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    await h.waitForEvents(reject.eventId);
    const res = await sync(h, bob, { since: invited.next_batch });
    expect(res.rooms.invite[roomId]).toBeUndefined();
    expect(timelineIds(res, roomId, "leave")).toEqual([reject.eventId]);
    expect((await sync(h, bob)).rooms.invite[roomId]).toBeUndefined();
  });

  it("a knock shows in rooms.knock with stripped state until it is answered", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat", name: "Knock here" });
    await h.roomserver.performSendEvent({ body: { sender: alice.userId, roomId, type: "m.room.join_rules", stateKey: "", content: { join_rule: "knock" } } });
    const before = await sync(h, bob);
    const { body } = await h.roomserver.performSendEvent({ body: { sender: bob.userId, roomId, type: "m.room.member", stateKey: bob.userId, content: { membership: "knock" } } });
    await h.waitForEvents(body.eventId);
    const res = await sync(h, bob, { since: before.next_batch });
    const stripped = res.rooms.knock[roomId].knock_state.events;
    expect(stripped.find((e: any) => e.type === "m.room.name").content).toEqual({ name: "Knock here" });
    expect(stripped.find((e: any) => e.type === "m.room.join_rules").content).toEqual({ join_rule: "knock" });
    expect(stripped.at(-1)).toEqual({ type: "m.room.member", state_key: bob.userId, sender: bob.userId, content: { membership: "knock" } });
    expect((await sync(h, bob)).rooms.knock[roomId]).toBeDefined();
    expect((await sync(h, bob, { since: res.next_batch })).rooms.knock[roomId]).toBeUndefined();
    // Alice lets him in: the knock is answered.
    const { body: inv } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    await h.waitForInvite(inv.eventId);
    const after = await sync(h, bob);
    expect(after.rooms.knock[roomId]).toBeUndefined();
    expect(after.rooms.invite[roomId]).toBeDefined();
  });

  it("knock_state holds the knocker's member event once: the knock, not an earlier knock or leave", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    await h.roomserver.performSendEvent({ body: { sender: alice.userId, roomId, type: "m.room.join_rules", stateKey: "", content: { join_rule: "knock" } } });
    const knock = async (reason: string) => {
      const { body } = await h.roomserver.performKnock({ body: { userId: bob.userId, roomIdOrAlias: roomId, reason } });
      await h.waitForEvents(body.eventId);
    };
    await knock("first");
    await knock("again");
    const mine = (res: any) => res.rooms.knock[roomId].knock_state.events.filter((e: any) => e.type === "m.room.member" && e.state_key === bob.userId);
    expect(mine(await sync(h, bob)).map((e: any) => e.content)).toEqual([{ membership: "knock", reason: "again" }]);
    // Rescinded, then knocked again: the leave between is not shown as well.
    const { body: left } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    await h.waitForEvents(left.eventId);
    await knock("third");
    expect(mine(await sync(h, bob)).map((e: any) => e.content)).toEqual([{ membership: "knock", reason: "third" }]);
  });

  it("leaving puts the room in rooms.leave with the timeline up to the leave event", async () => {
    const roomId = await createRoom(h, alice);
    await join(h, bob, roomId);
    const msg = await send(h, alice, roomId, "before bob leaves");
    await h.waitForEvents(msg);
    const before = await sync(h, bob);
    expect(before.rooms.join[roomId]).toBeDefined();
    const { body } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    const later = await send(h, alice, roomId, "after bob left");
    await h.waitForEvents(body.eventId, later);
    const res = await sync(h, bob, { since: before.next_batch });
    expect(res.rooms.join[roomId]).toBeUndefined();
    expect(timelineIds(res, roomId, "leave")).toEqual([body.eventId]);
    // Not again, and not in an initial sync unless include_leave.
    expect((await sync(h, bob, { since: res.next_batch })).rooms.leave[roomId]).toBeUndefined();
    expect((await sync(h, bob)).rooms.leave[roomId]).toBeUndefined();
    const withLeave = await sync(h, bob, { filter: JSON.stringify({ room: { include_leave: true } }) });
    expect(timelineIds(withLeave, roomId, "leave")).toContain(body.eventId);
    expect(timelineIds(withLeave, roomId, "leave")).not.toContain(later);
  });

  it("a room joined and left within one window comes in rooms.leave with its whole state", async () => {
    const roomId = await createRoom(h, alice, { name: "Brief visit" });
    const topic = await h.roomserver.performSendEvent({ body: { sender: alice.userId, roomId, type: "m.room.topic", stateKey: "", content: { topic: "passing through" } } });
    await h.waitForEvents(topic.body.eventId);
    const before = await sync(h, bob);
    const joinId = await join(h, bob, roomId);
    const msgs: string[] = [];
    for (let i = 0; i < 3; i++) msgs.push(await send(h, alice, roomId, `seen by bob ${i}`));
    const { body: leave } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    await h.waitForEvents(joinId, ...msgs, leave.eventId);
    const res = await sync(h, bob, { since: before.next_batch, filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    expect(res.rooms.join[roomId]).toBeUndefined();
    expect(timelineIds(res, roomId, "leave")).toEqual([msgs[2], leave.eventId]);
    expect(res.rooms.leave[roomId].timeline.limited).toBe(true);
    // Bob's client never saw the room: the state at the start of the timeline, all of it.
    const state = res.rooms.leave[roomId].state.events;
    expect(state.map((e: any) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels", "m.room.name", "m.room.topic", "m.room.join_rules"]));
    expect(state.find((e: any) => e.type === "m.room.member" && e.state_key === bob.userId)?.content.membership).toBe("join");

    // A rejected invite is not a join: only the rejection, no state of a room bob never entered.
    const secret = await createRoom(h, alice, { preset: "private_chat", name: "Never entered" });
    const beforeInvite = await sync(h, bob);
    const { body: inv } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId: secret, invitee: bob.userId } });
    const { body: reject } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId: secret } });
    await h.waitForEvents(inv.eventId, reject.eventId);
    const rejected = await sync(h, bob, { since: beforeInvite.next_batch });
    expect(rejected.rooms.leave[secret].state.events.find((e: any) => e.type === "m.room.name")).toBeUndefined();
  });

  it("a room left and rejoined within one window comes as newly joined: whole state, a fresh timeline", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat", name: "Revolving door" });
    await h.waitForEvents(await join(h, bob, roomId));
    const before = await sync(h, bob);
    const { body: leave } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    const missed = await send(h, alice, roomId, "while bob was out");
    const rejoin = await join(h, bob, roomId);
    await h.waitForEvents(leave.eventId, missed, rejoin);
    const res = await sync(h, bob, { since: before.next_batch, filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    expect(res.rooms.leave[roomId]).toBeUndefined();
    expect(timelineIds(res, roomId)).toEqual([missed, rejoin]);
    expect(res.rooms.join[roomId].timeline.limited).toBe(true);
    // The state at the start of the timeline, all of it: the client cannot know what changed while bob was out.
    expect(stateOf(res, roomId).map((e: any) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.name", "m.room.power_levels", "m.room.join_rules"]));

    // A profile change (join to join) is no rejoin: just the change.
    const renamed = await h.roomserver.performSendEvent({ body: { sender: bob.userId, roomId, type: "m.room.member", stateKey: bob.userId, content: { membership: "join", displayname: "Bobby" } } });
    await h.waitForEvents(renamed.body.eventId);
    const after = await sync(h, bob, { since: res.next_batch });
    expect(timelineIds(after, roomId)).toEqual([renamed.body.eventId]);
    expect(stateOf(after, roomId)).toEqual([]);
  });

  it("global and per-room account data, tags included, arrive once", async () => {
    const roomId = await createRoom(h, alice);
    const before = await sync(h, alice);
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "m.direct", content: { [bob.userId]: [roomId] } } });
    await h.userapi.setTag({ body: { userId: alice.userId, roomId, tag: "m.favourite", content: { order: 0.5 } } });
    await h.waitForAccountData(alice.userId, "m.tag");
    await h.waitForAccountData(alice.userId, "m.direct");
    const res = await sync(h, alice, { since: before.next_batch });
    expect(res.account_data.events).toEqual([{ type: "m.direct", content: { [bob.userId]: [roomId] } }]);
    expect(res.rooms.join[roomId].account_data.events).toEqual([{ type: "m.tag", content: { tags: { "m.favourite": { order: 0.5 } } } }]);
    const again = await sync(h, alice, { since: res.next_batch });
    expect(again.account_data.events).toEqual([]);
    expect(again.rooms.join[roomId]).toBeUndefined();
    // An initial sync holds the latest of each.
    const initial = await sync(h, alice);
    expect(initial.account_data.events.map((e: any) => e.type)).toContain("m.direct");
    expect(initial.rooms.join[roomId].account_data.events.map((e: any) => e.type)).toEqual(["m.tag"]);
  });

  it("a long-poll is woken by account data", async () => {
    const before = await sync(h, bob);
    const pending = sync(h, bob, { since: before.next_batch, timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await h.userapi.setAccountData({ body: { userId: bob.userId, type: "org.example.pref", content: { x: 1 } } });
    const res = await pending;
    expect(res.account_data.events).toEqual([{ type: "org.example.pref", content: { x: 1 } }]);
  });

  it("lazy_load_members: only members of the timeline's senders (and the syncing user)", async () => {
    const roomId = await createRoom(h, alice);
    const carol = await h.user("carol");
    const dave = await h.user("dave");
    await join(h, bob, roomId);
    await join(h, carol, roomId);
    await join(h, dave, roomId);
    const ids = [await send(h, bob, roomId, "from bob"), await send(h, carol, roomId, "from carol")];
    await h.waitForEvents(...ids);
    const lazy = JSON.stringify({ room: { timeline: { limit: 2 }, state: { lazy_load_members: true } } });
    const res = await sync(h, alice, { filter: lazy });
    const members = (r: any) => stateOf(r, roomId).filter((e: any) => e.type === "m.room.member").map((e: any) => e.state_key).sort();
    expect(members(res)).toEqual([alice.userId, bob.userId, carol.userId].sort());
    expect(stateOf(res, roomId).some((e: any) => e.type === "m.room.create")).toBe(true);
    // Without lazy loading, everyone.
    expect(members(await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) }))).toContain(dave.userId);

    // Incremental: bob speaks again — his member event is redundant; dave's is new.
    const more = [await send(h, bob, roomId, "bob again"), await send(h, dave, roomId, "dave speaks")];
    await h.waitForEvents(...more);
    const inc = await sync(h, alice, { since: res.next_batch, filter: lazy });
    expect(members(inc)).toEqual([dave.userId]);
    const redundant = JSON.stringify({ room: { timeline: { limit: 2 }, state: { lazy_load_members: true, include_redundant_members: true } } });
    const incAll = await sync(h, alice, { since: res.next_batch, filter: redundant });
    expect(members(incAll)).toEqual([bob.userId, dave.userId].sort());
  });

  it("an OutputRoomEvent delivered twice reaches the client once", async () => {
    const roomId = await createRoom(h, alice);
    await h.streams.ensureConsumer("OutputRoomEvent", "test-capture");
    const before = await sync(h, alice);
    const eventId = await send(h, alice, roomId, "only once");
    await h.waitForEvents(eventId);
    // Read the roomserver's output for it, and publish it again (no msgId: the stream keeps it).
    let captured: OutputRoomEvent | undefined;
    const sub = await h.streams.consume("OutputRoomEvent", "test-capture", (m) => {
      const o = m.json<OutputRoomEvent>();
      if (o.kind === "new_room_event" && o.eventId === eventId) captured = o;
    });
    for (let i = 0; i < 200 && !captured; i++) await new Promise((r) => setTimeout(r, 15));
    await sub.stop();
    expect(captured).toBeDefined();
    await h.streams.publish(outputSubject(roomId), captured);
    const sentinel = await send(h, alice, roomId, "sentinel");
    await h.waitForEvents(sentinel);
    const res = await sync(h, alice, { since: before.next_batch });
    expect(timelineIds(res, roomId)).toEqual([eventId, sentinel]);
    const rows = await h.db.sql`SELECT count(*)::int AS n FROM syncapi.output_room_events WHERE event_id = ${eventId}`;
    expect(rows[0]!.n).toBe(1);
  });
});
