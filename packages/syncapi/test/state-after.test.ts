// use_state_after (v1.16, MSC4222): join sections carry state_after — the state at the END of the
// timeline, timeline events included — and no `state`; without it, nothing changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, setState, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

const byKey = (events: any[]) => Object.fromEntries(events.map((e) => [`${e.type}|${e.state_key}`, e]));

describe("/sync use_state_after", () => {
  let h: Harness;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(() => h.close());

  it("initial: the whole state as of the timeline's end, state omitted", async () => {
    const roomId = await createRoom(h, alice, { name: "first" });
    const renamed = await setState(h, alice, roomId, "m.room.name", { name: "second" });
    const msg = await send(h, alice, roomId, "after the rename");
    await h.waitForEvents(renamed, msg);
    const res = await sync(h, alice, { use_state_after: true, filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    const room = res.rooms.join[roomId];
    expect(room.state).toBeUndefined();
    expect(timelineIds(res, roomId)).toEqual([renamed, msg]);
    const after = byKey(room.state_after.events);
    // The rename is in the timeline and in state_after: the client takes state only from here.
    expect(after["m.room.name|"].event_id).toBe(renamed);
    expect(after["m.room.create|"]).toBeDefined();
    expect(after[`m.room.member|${alice.userId}`].content.membership).toBe("join");
    // Without the parameter: the state at the timeline's start (the old name), no state_after.
    const classic = (await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) })).rooms.join[roomId];
    expect(classic.state_after).toBeUndefined();
    expect(byKey(classic.state.events)["m.room.name|"].content).toEqual({ name: "first" });
    const bad = await h.get(alice, "/_matrix/client/v3/sync", { use_state_after: "maybe" });
    expect([bad.status, bad.body.errcode]).toEqual([400, "M_INVALID_PARAM"]);
  });

  it("incremental: what changed since `since` and is current at the end; empty but present when nothing did", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat", name: "one" });
    await h.waitForEvents(await join(h, bob, roomId));
    const start = await sync(h, bob);
    // Two renames and a topic: only the last name, current at the end, and the topic.
    await setState(h, alice, roomId, "m.room.name", { name: "two" });
    const name3 = await setState(h, alice, roomId, "m.room.name", { name: "three" });
    const topic = await setState(h, alice, roomId, "m.room.topic", { topic: "t" });
    const msgs: string[] = [];
    for (let i = 0; i < 3; i++) msgs.push(await send(h, alice, roomId, `m${i}`));
    await h.waitForEvents(name3, topic, ...msgs);
    const res = await sync(h, bob, { since: start.next_batch, use_state_after: true, filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    const room = res.rooms.join[roomId];
    expect(room.timeline.limited).toBe(true);
    expect(room.state).toBeUndefined();
    expect(room.state_after.events.map((e: any) => e.event_id).sort()).toEqual([name3, topic].sort());

    // A message alone (the live path and the database path alike): state_after is there, empty.
    const quiet = await sync(h, bob, { since: res.next_batch, use_state_after: true });
    const poll = h.get(bob, "/_matrix/client/v3/sync", { since: quiet.next_batch, use_state_after: true, timeout: 10_000, set_presence: "offline" });
    await new Promise((r) => setTimeout(r, 50));
    const msg = await send(h, alice, roomId, "live");
    const live = (await poll).body.rooms.join[roomId];
    expect(live.timeline.events.map((e: any) => e.event_id)).toEqual([msg]);
    expect(live.state_after).toEqual({ events: [] });
    expect(live.state).toBeUndefined();
    const again = (await sync(h, bob, { since: quiet.next_batch, use_state_after: true })).rooms.join[roomId];
    expect(again.state_after).toEqual({ events: [] });
  });

  it("lazy-loaded members: the senders' and the timeline's member changes, as of the end", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat" });
    const lazy = JSON.stringify({ room: { state: { lazy_load_members: true }, timeline: { limit: 10 } } });
    const start = await sync(h, alice, { filter: lazy, use_state_after: true });
    const bobJoin = await join(h, bob, roomId);
    const renamed = await setState(h, bob, roomId, "m.room.member", { membership: "join", displayname: "Robert" }, bob.userId);
    const msg = await send(h, bob, roomId, "hi");
    await h.waitForEvents(bobJoin, renamed, msg);
    const res = await sync(h, alice, { since: start.next_batch, filter: lazy, use_state_after: true });
    const after = byKey(res.rooms.join[roomId].state_after.events);
    // Bob's member event as of the end of the timeline: the rename, not his join.
    expect(after[`m.room.member|${bob.userId}`].event_id).toBe(renamed);

    // A member the timeline changes without sending anything (a kick): there too.
    const kicked = await setState(h, alice, roomId, "m.room.member", { membership: "leave", reason: "bye" }, bob.userId);
    await h.waitForEvents(kicked);
    const res2 = await sync(h, alice, { since: res.next_batch, filter: lazy, use_state_after: true });
    expect(byKey(res2.rooms.join[roomId].state_after.events)[`m.room.member|${bob.userId}`].event_id).toBe(kicked);
  });
});
