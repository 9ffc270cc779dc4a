// History visibility (client-server API, "Room History Visibility"): what a user who was
// invited, joined and left sees under each setting; redacted events shown redacted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, setState, startHarness, sync, type Harness, type User } from "./harness";

describe("history visibility", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    carol = await h.user("carol");
  });
  afterAll(() => h.close());

  /** m1 before Bob's invite, m2 between invite and join, m3 while joined, m4 after he left. */
  async function scenario(visibility: string) {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    await setState(h, alice, roomId, "m.room.history_visibility", { history_visibility: visibility });
    const m1 = await send(h, alice, roomId, "m1");
    await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    const m2 = await send(h, alice, roomId, "m2");
    await join(h, bob, roomId);
    const m3 = await send(h, alice, roomId, "m3");
    await h.waitForEvents(m3);
    const during = await sync(h, bob, { filter: JSON.stringify({ room: { timeline: { limit: 50 } } }) });
    await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    const m4 = await send(h, alice, roomId, "m4");
    await h.waitForEvents(m1, m2, m3, m4);
    const read = async (u: User) => {
      const res = await h.get(u, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 100 });
      return res.status === 200 ? res.body.chunk.filter((e: any) => e.type === "m.room.message").map((e: any) => e.content.body).reverse() : res.status;
    };
    return { roomId, ids: { m1, m2, m3, m4 }, read, during };
  }

  it("joined: only what was sent while Bob was joined", async () => {
    const s = await scenario("joined");
    expect(await s.read(bob)).toEqual(["m3"]);
    expect(await s.read(carol)).toBe(403);
    // His own join is visible to him, and so is his later leave.
    const all = (await h.get(bob, `/_matrix/client/v3/rooms/${encodeURIComponent(s.roomId)}/messages`, { dir: "b", limit: 100 })).body.chunk;
    const own = all.filter((e: any) => e.type === "m.room.member" && e.state_key === bob.userId).map((e: any) => e.content.membership);
    expect(own).toEqual(["leave", "join"]);
    // The same rule in /sync and /event.
    const bodies = s.during.rooms.join[s.roomId].timeline.events.filter((e: any) => e.type === "m.room.message").map((e: any) => e.content.body);
    expect(bodies).toEqual(["m3"]);
    expect((await h.get(bob, `/_matrix/client/v3/rooms/${encodeURIComponent(s.roomId)}/event/${encodeURIComponent(s.ids.m1)}`)).status).toBe(404);
  });

  it("invited: from the invite on", async () => {
    const s = await scenario("invited");
    expect(await s.read(bob)).toEqual(["m2", "m3"]);
  });

  it("shared: everything before Bob left, nothing after", async () => {
    const s = await scenario("shared");
    expect(await s.read(bob)).toEqual(["m1", "m2", "m3"]);
    expect(await s.read(alice)).toEqual(["m1", "m2", "m3", "m4"]);
    expect((await h.get(bob, `/_matrix/client/v3/rooms/${encodeURIComponent(s.roomId)}/event/${encodeURIComponent(s.ids.m4)}`)).status).toBe(404);
  });

  it("world_readable: anyone, even someone who never joined, and after leaving", async () => {
    const s = await scenario("world_readable");
    expect(await s.read(bob)).toEqual(["m1", "m2", "m3", "m4"]);
    expect(await s.read(carol)).toEqual(["m1", "m2", "m3", "m4"]);
    expect((await h.get(carol, `/_matrix/client/v3/rooms/${encodeURIComponent(s.roomId)}/event/${encodeURIComponent(s.ids.m1)}`)).status).toBe(200);
  });

  it("a change of visibility applies from that event on, not to earlier events", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    await setState(h, alice, roomId, "m.room.history_visibility", { history_visibility: "joined" });
    await send(h, alice, roomId, "hidden");
    const change = await setState(h, alice, roomId, "m.room.history_visibility", { history_visibility: "shared" });
    const shown = await send(h, alice, roomId, "shown");
    await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    const j = await join(h, bob, roomId);
    await h.waitForEvents(change, shown, j);
    const chunk = (await h.get(bob, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 100 })).body.chunk;
    expect(chunk.filter((e: any) => e.type === "m.room.message").map((e: any) => e.content.body)).toEqual(["shown"]);
    // The change itself is visible: after it, the setting lets Bob see it.
    expect(chunk.some((e: any) => e.event_id === change)).toBe(true);
  });
});

describe("redactions", () => {
  let h: Harness;
  let alice: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
  });
  afterAll(() => h.close());

  it("a redacted event is returned redacted, with unsigned.redacted_because, in /event, /messages and /sync", async () => {
    const roomId = await createRoom(h, alice);
    const before = await sync(h, alice);
    const target = await send(h, alice, roomId, "oops, my password", { content: { msgtype: "m.text", body: "hunter2", url: "mxc://x/y" } });
    const redaction = await send(h, alice, roomId, "", { type: "m.room.redaction", content: { redacts: target, reason: "secret" } });
    await h.waitForEvents(target, redaction);
    for (let i = 0; i < 200; i++) {
      const rows = await h.db.sql`SELECT redacted_because IS NOT NULL AS r FROM syncapi.output_room_events WHERE event_id = ${target}`;
      if (rows[0]?.r) break;
      await new Promise((r) => setTimeout(r, 15));
    }
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
    const ev = (await h.get(alice, `${path}/event/${encodeURIComponent(target)}`)).body;
    expect(ev.content).toEqual({});
    expect(ev.type).toBe("m.room.message");
    expect(ev.unsigned.redacted_because).toMatchObject({ event_id: redaction, type: "m.room.redaction", content: { redacts: target, reason: "secret" } });
    const msgs = (await h.get(alice, `${path}/messages`, { dir: "b", limit: 5 })).body.chunk;
    expect(msgs.find((e: any) => e.event_id === target).content).toEqual({});
    const timeline = (await sync(h, alice, { since: before.next_batch })).rooms.join[roomId].timeline.events;
    expect(timeline.map((e: any) => e.event_id)).toEqual([target, redaction]);
    expect(timeline[0].content).toEqual({});
    expect(timeline[0].unsigned.redacted_because.event_id).toBe(redaction);
  });
});
