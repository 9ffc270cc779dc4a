// GET /sync: initial and incremental, timeline windows, state, long-polling, txn IDs, tokens.
import { closeServer, createHttpServer, createLogger, listen } from "@dendrite-ts/runtime";
import { createNotifier, type Notifier } from "../src/notifier";
import { registerSyncRoute } from "../src/routing/sync";
import { IgnoredUsers } from "../src/sync/ignored-users";
import { createSyncStore, type Executor } from "../src/storage";
import { PresenceState } from "../src/sync/presence";
import { PresenceReporter } from "../src/sync/presence-reports";
import { TypingState } from "../src/sync/typing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, setState, startHarness, stateOf, sync, timelineIds, type Harness, type User } from "./harness";

describe("/sync", () => {
  let h: Harness;
  let alice: User;
  let roomId: string;
  let first: string[];

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    roomId = await createRoom(h, alice, { name: "Lobby" });
    first = [];
    for (let i = 0; i < 3; i++) first.push(await send(h, alice, roomId, `hello ${i}`));
    await h.waitForEvents(...first);
  });
  afterAll(() => h.close());

  it("initial sync: the joined room with its newest events, the state before them, and a token", async () => {
    const res = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    expect(res.next_batch).toMatch(/^s\d+(?:_\d+){4,}$/);
    expect(timelineIds(res, roomId)).toEqual(first.slice(1));
    const room = res.rooms.join[roomId];
    expect(room.timeline.limited).toBe(true);
    expect(room.timeline.prev_batch).toMatch(/^t\d+_\d+$/);
    const types = stateOf(res, roomId).map((e: any) => e.type);
    expect(types).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels", "m.room.member", "m.room.name", "m.room.join_rules"]));
    // The state is the state at the start of the timeline: the first message is not state.
    expect(stateOf(res, roomId).some((e: any) => e.event_id === first[0])).toBe(false);
    expect(room.summary["m.joined_member_count"]).toBe(1);
  });

  it("a timeline that holds everything since the room began is not limited", async () => {
    const res = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 50 } } }) });
    expect(res.rooms.join[roomId].timeline.limited).toBe(false);
    expect(res.rooms.join[roomId].timeline.events[0].type).toBe("m.room.create");
    expect(stateOf(res, roomId)).toEqual([]);
  });

  it("incremental sync: only what came after since, with state changes as state deltas", async () => {
    const initial = await sync(h, alice);
    const topic = await setState(h, alice, roomId, "m.room.topic", { topic: "news" });
    const msg = await send(h, alice, roomId, "after");
    await h.waitForEvents(topic, msg);
    const res = await sync(h, alice, { since: initial.next_batch });
    expect(timelineIds(res, roomId)).toEqual([topic, msg]);
    expect(res.rooms.join[roomId].timeline.limited).toBe(false);
    expect(stateOf(res, roomId)).toEqual([]);
    // Nothing new: an empty answer with the same position.
    const again = await sync(h, alice, { since: res.next_batch });
    expect(again.rooms.join).toEqual({});
    expect(again.next_batch).toBe(res.next_batch);
  });

  it("incremental sync with a gap: limited, and a state change before the window arrives as state", async () => {
    const initial = await sync(h, alice);
    const name = await setState(h, alice, roomId, "m.room.name", { name: "Renamed" });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await send(h, alice, roomId, `gap ${i}`));
    await h.waitForEvents(name, ...ids);
    const res = await sync(h, alice, { since: initial.next_batch, filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) });
    expect(timelineIds(res, roomId)).toEqual(ids.slice(2));
    expect(res.rooms.join[roomId].timeline.limited).toBe(true);
    const state = stateOf(res, roomId);
    expect(state.map((e: any) => e.event_id)).toEqual([name]);
    expect(state[0].unsigned.prev_content).toEqual({ name: "Lobby" });
    // prev_batch pages back through what the window left out.
    const back = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", from: res.rooms.join[roomId].timeline.prev_batch, limit: 3 });
    expect(back.status).toBe(200);
    expect(back.body.chunk.map((e: any) => e.event_id)).toEqual([ids[1], ids[0], name]);
  });

  it("full_state=true sends the whole state even in an incremental sync", async () => {
    const initial = await sync(h, alice);
    const res = await sync(h, alice, { since: initial.next_batch, full_state: true });
    expect(stateOf(res, roomId).map((e: any) => e.type)).toContain("m.room.create");
  });

  it("long-polling: a new message wakes a waiting /sync", async () => {
    const initial = await sync(h, alice);
    // The poll's timeout (60 s) outlasts the test's (20 s): only a wake can answer in time.
    const pending = sync(h, alice, { since: initial.next_batch, timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 200));
    const eventId = await send(h, alice, roomId, "wake up");
    const res = await pending;
    expect(timelineIds(res, roomId)).toEqual([eventId]);
  });

  it("long-polling with nothing new returns empty after the timeout", async () => {
    const initial = await sync(h, alice);
    const started = Date.now();
    const res = await sync(h, alice, { since: initial.next_batch, timeout: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.rooms.join).toEqual({});
  });

  it("a long-poll whose client hangs up stops waiting", async () => {
    // The route over a notifier that reports when a wait ends.
    const inner = createNotifier();
    const ended: boolean[] = [];
    const notifier: Notifier = {
      ...inner,
      waiter(userId) {
        const w = inner.waiter(userId);
        return { ...w, wait: async (ms) => { const r = await w.wait(ms); ended.push(r); return r; } };
      },
    };
    const server = createHttpServer({ logger: createLogger({ level: "silent" }) });
    const store = createSyncStore(h.db.drizzle as unknown as Executor);
    registerSyncRoute(server, { store, userapi: h.userapi, keyserver: h.keyserver, notifier, ignored: new IgnoredUsers(store), typing: new TypingState(), presence: new PresenceState(), presenceReports: new PresenceReporter((userId, setPresence) => h.eduserver.performSyncPresence({ body: { userId, setPresence } }), () => {}), closing: () => false });
    const { url } = await listen(server, "127.0.0.1:0");
    const initial = await sync(h, alice);
    const ac = new AbortController();
    const pending = fetch(`${url}/_matrix/client/v3/sync?since=${initial.next_batch}&timeout=20000`, { headers: { authorization: `Bearer ${alice.token}` }, signal: ac.signal }).catch(() => "aborted");
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    expect(await pending).toBe("aborted");
    for (let i = 0; i < 100 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(ended).toEqual([true]);
    await closeServer(server);
  });

  it("unsigned.transaction_id goes to the sending device only", async () => {
    const phone = alice;
    const laptop = await h.device(alice, "LAPTOP");
    const initial = await sync(h, phone);
    const eventId = await send(h, phone, roomId, "with txn", { txnId: "txn-1" });
    await h.waitForEvents(eventId);
    const onPhone = (await sync(h, phone, { since: initial.next_batch })).rooms.join[roomId].timeline.events.find((e: any) => e.event_id === eventId);
    const onLaptop = (await sync(h, laptop, { since: initial.next_batch })).rooms.join[roomId].timeline.events.find((e: any) => e.event_id === eventId);
    expect(onPhone.unsigned.transaction_id).toBe("txn-1");
    expect(onLaptop.unsigned.transaction_id).toBeUndefined();
  });

  it("set_presence is accepted; bad parameters are 400 M_INVALID_PARAM; no token is 401", async () => {
    expect((await h.get(alice, "/_matrix/client/v3/sync", { set_presence: "unavailable" })).status).toBe(200);
    const bad: Record<string, string>[] = [{ since: "garbage" }, { since: "s1" }, { timeout: "-5" }, { timeout: "soon" }, { full_state: "yes" }, { set_presence: "away" }, { filter: "{not json" }, { filter: "abc" }, { filter: JSON.stringify({ room: { timeline: { limit: "ten" } } }) }];
    for (const query of bad) {
      const res = await h.get(alice, "/_matrix/client/v3/sync", query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.errcode).toBe("M_INVALID_PARAM");
    }
    expect((await h.get(alice, "/_matrix/client/v3/sync", { filter: "999999" })).body.errcode).toBe("M_NOT_FOUND");
    const anon = await h.get(undefined, "/_matrix/client/v3/sync");
    expect(anon.status).toBe(401);
    expect(anon.body.errcode).toBe("M_MISSING_TOKEN");
  });

  it("since tokens stay valid across a restart of the syncapi", async () => {
    const before = await sync(h, alice);
    await h.restartSyncapi();
    const eventId = await send(h, alice, roomId, "after restart");
    await h.waitForEvents(eventId);
    const res = await sync(h, alice, { since: before.next_batch });
    expect(timelineIds(res, roomId)).toEqual([eventId]);
  });
});
