// /messages, /context, /event and /members: paging to the start of the room, tokens, errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, startHarness, sync, type Harness, type User } from "./harness";

describe("room history endpoints", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let msgs: string[];
  const room = (rest: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/${rest}`;
  const ids = (chunk: any[]) => chunk.map((e: any) => e.event_id);

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    carol = await h.user("carol");
    roomId = await createRoom(h, alice, { name: "History" });
    await join(h, bob, roomId);
    msgs = [];
    for (let i = 0; i < 5; i++) msgs.push(await send(h, i % 2 ? bob : alice, roomId, `m${i}`));
    await h.waitForEvents(...msgs);
  });
  afterAll(() => h.close());

  it("/messages backwards from the end walks to the room's create event, then omits end", async () => {
    const seen: string[] = [];
    let from: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await h.get(alice, room("messages"), { dir: "b", limit: 4, ...(from ? { from } : {}) });
      expect(res.status).toBe(200);
      seen.push(...ids(res.body.chunk));
      pages++;
      if (res.body.end === undefined) break;
      from = res.body.end;
      expect(pages).toBeLessThan(10);
    }
    expect(seen.slice(0, 5)).toEqual([...msgs].reverse());
    const last = (await h.get(alice, room("messages"), { dir: "b", limit: 100 })).body.chunk.at(-1);
    expect(last.type).toBe("m.room.create");
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await h.get(alice, room("messages"), { dir: "b", limit: 100 })).body.chunk.length);
  });

  it("/messages forwards from the start reaches the newest event; from/to tokens bound a page", async () => {
    const all = (await h.get(alice, room("messages"), { dir: "f", limit: 100 })).body;
    expect(all.chunk[0].type).toBe("m.room.create");
    expect(ids(all.chunk).slice(-5)).toEqual(msgs);
    // A page of 2 backwards from a sync's prev_batch, then forwards again from its end.
    const s = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    const prev = s.rooms.join[roomId].timeline.prev_batch;
    const back = (await h.get(alice, room("messages"), { dir: "b", from: prev, limit: 2 })).body;
    expect(ids(back.chunk)).toEqual([msgs[2], msgs[1]]);
    const fwd = (await h.get(alice, room("messages"), { dir: "f", from: back.end, limit: 3 })).body;
    expect(ids(fwd.chunk)).toEqual([msgs[1], msgs[2], msgs[3]]);
    // `to` stops the page.
    const bounded = (await h.get(alice, room("messages"), { dir: "b", from: prev, to: back.end, limit: 10 })).body;
    expect(ids(bounded.chunk)).toEqual([msgs[2], msgs[1]]);
    // A sync token works as `from` too.
    const fromSync = (await h.get(alice, room("messages"), { dir: "b", from: s.next_batch, limit: 1 })).body;
    expect(ids(fromSync.chunk)).toEqual([msgs[4]]);
  });

  it("/messages forwards keeps `end` on a page that reached the newest event, so a client can poll on from it", async () => {
    const all = (await h.get(alice, room("messages"), { dir: "f", limit: 100 })).body;
    expect(ids(all.chunk).slice(-5)).toEqual(msgs);
    expect(all.end).toEqual(expect.any(String));
    // Nothing newer yet: an empty page, and only then no `end`.
    const idle = (await h.get(alice, room("messages"), { dir: "f", from: all.end, limit: 100 })).body;
    expect(idle.chunk).toEqual([]);
    expect(idle.end).toBeUndefined();
    const later = await send(h, alice, roomId, "later");
    await h.waitForEvents(later);
    const next = (await h.get(alice, room("messages"), { dir: "f", from: all.end, limit: 100 })).body;
    expect(ids(next.chunk)).toEqual([later]);
    expect(next.end).toEqual(expect.any(String));
    // A page stopped by `to` has an `end` too, which carries on past it.
    const start = (await h.get(alice, room("messages"), { dir: "f", limit: 1 })).body;
    const mid = (await h.get(alice, room("messages"), { dir: "b", limit: 2 })).body;
    const bounded = (await h.get(alice, room("messages"), { dir: "f", from: start.end, to: mid.end, limit: 100 })).body;
    expect(bounded.end).toEqual(expect.any(String));
    const rest = (await h.get(alice, room("messages"), { dir: "f", from: bounded.end, limit: 100 })).body;
    expect(ids(rest.chunk)).toEqual([msgs[4], later]);
  });

  it("/messages: filter, lazy-loaded member state, and 400/403 for bad input", async () => {
    const f = JSON.stringify({ senders: [bob.userId], lazy_load_members: true });
    const res = (await h.get(alice, room("messages"), { dir: "b", limit: 10, filter: f })).body;
    expect(ids(res.chunk)).toEqual([msgs[3], msgs[1], expect.any(String)]);
    expect(res.chunk.every((e: any) => e.sender === bob.userId)).toBe(true);
    expect(res.state.map((e: any) => e.state_key)).toEqual([bob.userId]);
    for (const q of [{ dir: "x" }, {}, { dir: "b", limit: "-1" }, { dir: "b", from: "nonsense" }, { dir: "b", filter: "{" }]) {
      const bad = await h.get(alice, room("messages"), q as Record<string, string>);
      expect(bad.status, JSON.stringify(q)).toBe(400);
      expect(bad.body.errcode).toBe("M_INVALID_PARAM");
    }
    const outsider = await h.get(carol, room("messages"), { dir: "b" });
    expect(outsider.status).toBe(403);
    expect(outsider.body.errcode).toBe("M_FORBIDDEN");
  });

  it("/context: the event with events before and after, tokens and state", async () => {
    const res = await h.get(alice, room(`context/${encodeURIComponent(msgs[2]!)}`), { limit: 4 });
    expect(res.status).toBe(200);
    expect(res.body.event.event_id).toBe(msgs[2]);
    expect(ids(res.body.events_before)).toEqual([msgs[1], msgs[0]]);
    expect(ids(res.body.events_after)).toEqual([msgs[3], msgs[4]]);
    expect(res.body.state.map((e: any) => e.type)).toContain("m.room.create");
    const back = (await h.get(alice, room("messages"), { dir: "b", from: res.body.start, limit: 1 })).body;
    expect(ids(back.chunk)).toHaveLength(1);
    expect(ids(back.chunk)[0]).not.toBe(msgs[0]);
    expect((await h.get(alice, room("context/$nope"))).status).toBe(404);
    expect((await h.get(carol, room(`context/${encodeURIComponent(msgs[2]!)}`))).status).toBe(404);
  });

  it("/context with lazy_load_members narrows only the membership events, to the senders returned; the rest of the state stays", async () => {
    const full = (await h.get(alice, room(`context/${encodeURIComponent(msgs[2]!)}`), { limit: 0 })).body;
    const lazy = (await h.get(alice, room(`context/${encodeURIComponent(msgs[2]!)}`), { limit: 0, filter: JSON.stringify({ lazy_load_members: true }) })).body;
    expect(lazy.events_before).toEqual([]);
    const key = (e: any) => `${e.type}|${e.state_key}`;
    const nonMembers = (state: any[]) => state.filter((e) => e.type !== "m.room.member").map(key).sort();
    expect(nonMembers(lazy.state)).toEqual(nonMembers(full.state));
    expect(nonMembers(lazy.state)).toEqual(expect.arrayContaining(["m.room.create|", "m.room.name|"]));
    // Only the event's sender (alice), not bob, who sent nothing returned here.
    expect(lazy.state.filter((e: any) => e.type === "m.room.member").map((e: any) => e.state_key)).toEqual([alice.userId]);
    expect(full.state.filter((e: any) => e.type === "m.room.member").map((e: any) => e.state_key).sort()).toEqual([alice.userId, bob.userId].sort());
  });

  it("/context applies its filter to state too, as to the events around (not to the event itself)", async () => {
    const ctx = async (filter: Record<string, unknown>) => (await h.get(alice, room(`context/${encodeURIComponent(msgs[2]!)}`), { limit: 4, filter: JSON.stringify(filter) })).body;
    const messagesOnly = await ctx({ types: ["m.room.message"] });
    expect(messagesOnly.event.event_id).toBe(msgs[2]);
    expect(messagesOnly.state).toEqual([]);
    const bobsMembership = await ctx({ types: ["m.room.member"], senders: [bob.userId] });
    expect(bobsMembership.state.map((e: any) => [e.type, e.state_key])).toEqual([["m.room.member", bob.userId]]);
    expect(bobsMembership.events_before.map((e: any) => e.type)).toEqual(["m.room.member"]);
    const notAlice = await ctx({ not_senders: [alice.userId] });
    expect(notAlice.state.every((e: any) => e.sender !== alice.userId)).toBe(true);
    expect((await ctx({ types: ["m.room.name"], not_rooms: [roomId] })).state).toEqual([]);
  });

  it("/event: a visible event, 404 for unknown or invisible ones and for the wrong room", async () => {
    const res = await h.get(bob, room(`event/${encodeURIComponent(msgs[0]!)}`));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ event_id: msgs[0], room_id: roomId, type: "m.room.message", sender: alice.userId, content: { body: "m0" } });
    const unknown = await h.get(bob, room("event/$unknown"));
    expect(unknown.status).toBe(404);
    expect(unknown.body.errcode).toBe("M_NOT_FOUND");
    expect((await h.get(carol, room(`event/${encodeURIComponent(msgs[0]!)}`))).status).toBe(404);
    const other = await createRoom(h, alice);
    expect((await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(other)}/event/${encodeURIComponent(msgs[0]!)}`)).status).toBe(404);
  });

  it("/members: now, at a token, by membership and not_membership", async () => {
    const before = await sync(h, alice);
    await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: carol.userId } });
    const { body: kick } = await h.roomserver.performKick({ body: { sender: alice.userId, roomId, target: bob.userId } });
    await h.waitForEvents(kick.eventId);
    const members = async (q: Record<string, string> = {}) => {
      const res = await h.get(alice, room("members"), q);
      expect(res.status).toBe(200);
      return Object.fromEntries(res.body.chunk.map((e: any) => [e.state_key, e.content.membership]));
    };
    expect(await members()).toEqual({ [alice.userId]: "join", [bob.userId]: "leave", [carol.userId]: "invite" });
    expect(await members({ at: before.next_batch })).toEqual({ [alice.userId]: "join", [bob.userId]: "join" });
    expect(await members({ membership: "invite" })).toEqual({ [carol.userId]: "invite" });
    expect(await members({ not_membership: "leave" })).toEqual({ [alice.userId]: "join", [carol.userId]: "invite" });
    // Bob, kicked, sees the list as it was when he left: not Dave, invited later.
    const dave = await h.user("dave");
    const { body: inv } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: dave.userId } });
    await h.waitForEvents(inv.eventId);
    expect((await members())[dave.userId]).toBe("invite");
    const bobs = await h.get(bob, room("members"));
    expect(Object.fromEntries(bobs.body.chunk.map((e: any) => [e.state_key, e.content.membership]))).toEqual({
      [alice.userId]: "join",
      [bob.userId]: "leave",
      [carol.userId]: "invite",
    });
    expect((await h.get(alice, room("members"), { membership: "joined" })).body.errcode).toBe("M_INVALID_PARAM");
    expect((await h.get(alice, room("members"), { at: "zzz" })).status).toBe(400);
    const stranger = await h.user("erin");
    expect((await h.get(stranger, room("members"))).status).toBe(403);
  });
});
