/**
 * Presence in /sync (presence.md): eduserver's OutputPresenceEvent reaches the `presence` section
 * of the users who share a room with the user (and the user's own), waking their long-polls;
 * nobody else's. An initial sync carries what is known; the presence filter applies; a /sync
 * request tells eduserver the user is around (set_presence, online unless asked otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PresenceState } from "../src/sync/presence";
import { PresenceReporter, REPORT_EVERY_MS } from "../src/sync/presence-reports";
import { createRoom, join, startHarness, sync, type Harness, type User } from "./harness";

let h: Harness;
let alice: User;
let bob: User;
let carol: User;
let room: string;

const presenceOf = (res: any, userId: string): any[] => res.presence.events.filter((e: any) => e.sender === userId);
/** A long-poll from `since` that must come back with news. */
const next = (user: User, since: string) => sync(h, user, { since, timeout: 10_000, set_presence: "offline" });

beforeAll(async () => {
  h = await startHarness();
  alice = await h.user("alice");
  bob = await h.user("bob");
  carol = await h.user("carol");
  room = await createRoom(h, alice, { preset: "public_chat" });
  await join(h, bob, room);
  await createRoom(h, carol);
});
afterAll(async () => {
  await h?.close();
});

describe("presence in /sync", () => {
  it("wakes a long-poll of someone in a room with the user, with m.presence as the spec shapes it", async () => {
    const first = await sync(h, bob, { set_presence: "offline" });
    const poll = next(bob, first.next_batch);
    await h.eduserver.performSetPresence({ body: { userId: alice.userId, presence: "online", statusMsg: "writing tests" } });
    const res = await poll;
    const [ev] = presenceOf(res, alice.userId);
    expect(ev).toMatchObject({ type: "m.presence", sender: alice.userId, content: { presence: "online", status_msg: "writing tests", currently_active: true } });
    expect(ev.content.last_active_ago).toBeGreaterThanOrEqual(0);
    // Seven parts: the presence position last.
    expect(res.next_batch.split("_")).toHaveLength(7);
    // Nothing new since: the next poll waits its timeout out.
    const quiet = await sync(h, bob, { since: res.next_batch, timeout: 300, set_presence: "offline" });
    expect(presenceOf(quiet, alice.userId)).toEqual([]);
  });

  it("someone who shares no room does not see it; the user sees their own", async () => {
    const c0 = await sync(h, carol, { set_presence: "offline" });
    const a0 = await sync(h, alice, { set_presence: "offline" });
    await h.eduserver.performSetPresence({ body: { userId: alice.userId, presence: "unavailable" } });
    const own = await next(alice, a0.next_batch);
    expect(presenceOf(own, alice.userId).map((e) => e.content.presence)).toEqual(["unavailable"]);
    const carols = await sync(h, carol, { since: c0.next_batch, timeout: 500, set_presence: "offline" });
    expect(presenceOf(carols, alice.userId)).toEqual([]);
  });

  it("an initial sync carries the known presence of room-mates; the presence filter applies", async () => {
    const initial = await sync(h, bob, { set_presence: "offline" });
    expect(presenceOf(initial, alice.userId).map((e) => e.content.presence)).toEqual(["unavailable"]);
    expect(presenceOf(await sync(h, carol, { set_presence: "offline" }), alice.userId)).toEqual([]);
    const none = await sync(h, bob, { set_presence: "offline", filter: JSON.stringify({ presence: { types: [] } }) });
    expect(none.presence.events).toEqual([]);
    const notAlice = await sync(h, bob, { set_presence: "offline", filter: JSON.stringify({ presence: { not_senders: [alice.userId] } }) });
    expect(presenceOf(notAlice, alice.userId)).toEqual([]);
  });

  it("new room-mates see each other's presence at the join, though neither changed", async () => {
    const erin = await h.user("erin");
    await h.eduserver.performSetPresence({ body: { userId: erin.userId, presence: "online", statusMsg: "new here" } });
    const e0 = await sync(h, erin);
    const b0 = await sync(h, bob);
    expect(presenceOf(b0, erin.userId)).toEqual([]);
    await join(h, erin, room);
    const erins = await next(erin, e0.next_batch);
    expect(presenceOf(erins, alice.userId).map((e) => e.content.presence)).toEqual(["unavailable"]);
    let bobs = await next(bob, b0.next_batch);
    // The join and the presence may come in one answer or two.
    if (presenceOf(bobs, erin.userId).length === 0) bobs = await next(bob, bobs.next_batch);
    expect(presenceOf(bobs, erin.userId).map((e) => e.content.status_msg)).toEqual(["new here"]);
  });

  it("a /sync request is being around: online unless set_presence says otherwise; offline there changes nothing", async () => {
    const presence = async (u: User) => (await h.eduserver.queryPresence({ body: { userId: u.userId } })).body.presence;
    const dave = await h.user("dave");
    await sync(h, dave, { set_presence: "offline" });
    expect(await presence(dave)).toBe("offline");
    // No set_presence at all: online.
    expect((await h.get(dave, "/_matrix/client/v3/sync")).status).toBe(200);
    expect(await presence(dave)).toBe("online");
    await sync(h, dave, { set_presence: "unavailable" });
    expect(await presence(dave)).toBe("unavailable");
  });

  it("a token from before presence (six parts) is still good, and brings what is known", async () => {
    const res = await sync(h, bob, { set_presence: "offline" });
    const six = res.next_batch.split("_").slice(0, 6).join("_");
    const again = await sync(h, bob, { since: six, set_presence: "offline" });
    expect(presenceOf(again, alice.userId).map((e) => e.content.presence)).toEqual(["unavailable"]);
  });
});

describe("reporting syncing users to eduserver", () => {
  it("one report per 20 s per user and value; a change of value, or hearing another presence, reports at once; a waiting sync keeps reporting", () => {
    let now = 0;
    const sent: string[] = [];
    const r = new PresenceReporter(async (u, p) => void sent.push(`${u} ${p}`), (e) => { throw e; }, () => now);
    try {
      const end1 = r.begin("@a:x", "online");
      end1();
      now = 5_000;
      r.begin("@a:x", "online")();
      expect(sent).toEqual(["@a:x online"]);
      r.begin("@a:x", "unavailable")();
      expect(sent).toEqual(["@a:x online", "@a:x unavailable"]);
      // They set online elsewhere (PUT): their syncs say unavailable, so the next one says it again.
      r.heard("@a:x", "online");
      r.begin("@a:x", "unavailable")();
      expect(sent).toHaveLength(3);
      // A long-poll still waiting after 20 s is reported by the sweep; an ended one is not.
      const waiting = r.begin("@b:x", "online");
      now += REPORT_EVERY_MS;
      r.sweep();
      expect(sent.slice(3)).toEqual(["@b:x online", "@b:x online"]);
      waiting();
      now += REPORT_EVERY_MS;
      r.sweep();
      expect(sent).toHaveLength(5);
    } finally {
      r.close();
    }
  });
});

describe("presence held in memory", () => {
  it("changes after a position, each user once with their latest, through many changes and compactions", () => {
    let now = 1_000;
    const state = new PresenceState(() => now);
    const ev = (userId: string, n: number) => ({ userId, presence: "online" as const, statusMsg: `#${n}`, lastActiveTs: now, currentlyActive: true });
    const start = state.position();
    for (let n = 0; n < 500; n++) state.apply(ev(`@u${n % 3}:x`, n));
    expect(state.changedSince(start).map((e) => [e.userId, e.statusMsg])).toEqual([["@u2:x", "#497"], ["@u0:x", "#498"], ["@u1:x", "#499"]]);
    const mid = state.position();
    state.apply(ev("@u1:x", 500));
    state.touch("@u0:x");
    expect(state.changedSince(mid).map((e) => e.userId)).toEqual(["@u1:x", "@u0:x"]);
    expect(state.changedSince(state.position())).toEqual([]);
    // A redelivery changes nothing.
    expect(state.apply(ev("@u1:x", 500))).toBe(false);
    expect(state.changedSince(undefined)).toHaveLength(3);
    const earlier = ev("@u1:x", 1);
    now += 5_000;
    expect(state.toEvent(earlier)).toEqual({ type: "m.presence", sender: "@u1:x", content: { presence: "online", last_active_ago: 5_000, status_msg: "#1", currently_active: true } });
  });
});
