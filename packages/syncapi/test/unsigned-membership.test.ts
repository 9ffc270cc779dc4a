// unsigned.membership (client_event_without_room_id.yaml, v1.11): every event returned carries the
// requesting user's membership at it — "leave" before they had any, and their own member event's
// membership for that event. Bob is invited, joins, leaves and rejoins a `shared` room; events of
// each period come back with the right membership from /messages, /context, /event and /sync.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, startHarness, stateOf, sync, type Harness, type User } from "./harness";

describe("unsigned.membership", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let roomId: string;
  /** Event ID → Bob's membership at it. */
  const expected = new Map<string, string>();
  let createId: string;
  let beforeRejoin: string;
  let msg = "";

  const room = (path: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/${path}`;
  const membershipOf = (events: any[]) => new Map(events.map((e: any) => [e.event_id as string, e.unsigned?.membership as string | undefined]));
  /** Every event of `events` we know the answer for, with the membership it came with. */
  function checkAll(events: any[]): void {
    const got = membershipOf(events);
    for (const [id, m] of got) if (expected.has(id)) expect({ id, m }).toEqual({ id, m: expected.get(id) });
  }

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    roomId = await createRoom(h, alice, { preset: "public_chat" });
    const created = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 100 } } }) });
    createId = created.rooms.join[roomId].timeline.events.find((e: any) => e.type === "m.room.create").event_id;
    expected.set(createId, "leave");

    const before = await send(h, alice, roomId, "before bob");
    expected.set(before, "leave");
    const { body: inv } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    expected.set(inv.eventId, "invite");
    const invited = await send(h, alice, roomId, "while invited");
    expected.set(invited, "invite");
    const joined = await join(h, bob, roomId);
    expected.set(joined, "join");
    msg = await send(h, alice, roomId, "while joined");
    expected.set(msg, "join");
    const { body: leave } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    expected.set(leave.eventId, "leave");
    const away = await send(h, alice, roomId, "while away");
    expected.set(away, "leave");
    await h.waitForEvents(...expected.keys());
    beforeRejoin = (await sync(h, bob)).next_batch;
    const rejoined = await join(h, bob, roomId);
    expected.set(rejoined, "join");
    const back = await send(h, alice, roomId, "back again");
    expected.set(back, "join");
    await h.waitForEvents(rejoined, back);
  });
  afterAll(() => h.close());

  it("/messages: each period's events with the membership Bob had then", async () => {
    const res = await h.get(bob, room("messages"), { dir: "b", limit: 100 });
    expect(res.status).toBe(200);
    const got = membershipOf(res.body.chunk);
    for (const id of expected.keys()) expect(got.has(id), id).toBe(true);
    checkAll(res.body.chunk);
    // Alice was always joined after her own join; before it (the create event) she had none.
    const hers = membershipOf((await h.get(alice, room("messages"), { dir: "b", limit: 100 })).body.chunk);
    expect(hers.get(createId)).toBe("leave");
    expect(hers.get(msg)).toBe("join");
  });

  it("/context: the event, around it and the state", async () => {
    const res = await h.get(bob, room(`context/${encodeURIComponent(msg)}`), { limit: 20 });
    expect(res.status).toBe(200);
    expect(res.body.event.unsigned.membership).toBe("join");
    expect(res.body.events_before.length + res.body.events_after.length).toBeGreaterThan(4);
    checkAll([res.body.event, ...res.body.events_before, ...res.body.events_after]);
    // The state at the last event returned: each state event with Bob's membership at it.
    checkAll(res.body.state);
    for (const e of res.body.state) expect(typeof e.unsigned.membership).toBe("string");
  });

  it("/event: one event of each period", async () => {
    for (const [id, m] of expected) {
      const res = await h.get(bob, room(`event/${encodeURIComponent(id)}`));
      expect(res.status, id).toBe(200);
      expect({ id, m: res.body.unsigned.membership }).toEqual({ id, m });
    }
  });

  it("/sync: initial (timeline and state) and incremental", async () => {
    const all = await sync(h, bob, { filter: JSON.stringify({ room: { timeline: { limit: 100 } } }) });
    const timeline = all.rooms.join[roomId].timeline.events;
    expect(membershipOf(timeline).size).toBeGreaterThanOrEqual(expected.size);
    checkAll(timeline);

    // A short timeline: the state at its start includes Bob's leave, sent as "leave".
    const short = await sync(h, bob, { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    checkAll(short.rooms.join[roomId].timeline.events);
    const state = stateOf(short, roomId);
    const bobsMember = state.find((e: any) => e.type === "m.room.member" && e.state_key === bob.userId);
    expect(bobsMember.content.membership).toBe("leave");
    expect(bobsMember.unsigned.membership).toBe("leave");
    expect(state.find((e: any) => e.event_id === createId).unsigned.membership).toBe("leave");

    // Incremental over the rejoin (a newly joined room: full state) and over a new message.
    const since = await sync(h, bob, { since: beforeRejoin });
    checkAll(since.rooms.join[roomId].timeline.events);
    const next = await send(h, alice, roomId, "incremental");
    await h.waitForEvents(next);
    const inc = await sync(h, bob, { since: since.next_batch });
    expect(membershipOf(inc.rooms.join[roomId].timeline.events).get(next)).toBe("join");
  });

  it("/sync: a long-poll woken by a message (the live answer) says join", async () => {
    const since = (await sync(h, bob)).next_batch;
    const pending = sync(h, bob, { since, timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 150));
    const next = await send(h, alice, roomId, "live");
    const res = await pending;
    expect(membershipOf(res.rooms.join[roomId].timeline.events).get(next)).toBe("join");
  });

  it("/relations and /threads: the events and their bundled latest_event", async () => {
    const root = msg;
    const reply = await send(h, alice, roomId, "in thread", { content: { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: root } } });
    await h.waitForEvents(reply);
    const rel = await h.get(bob, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(root)}`);
    expect(rel.status).toBe(200);
    expect(rel.body.chunk.map((e: any) => [e.event_id, e.unsigned.membership])).toEqual([[reply, "join"]]);
    const threads = await h.get(bob, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/threads`);
    expect(threads.status).toBe(200);
    const t = threads.body.chunk.find((e: any) => e.event_id === root);
    expect(t.unsigned.membership).toBe("join");
    expect(t.unsigned["m.relations"]["m.thread"].latest_event.unsigned.membership).toBe("join");
  });
});
