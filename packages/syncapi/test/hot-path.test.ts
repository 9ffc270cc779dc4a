// The raw statements of the send → /sync path (storage/hot-path.ts) against a real
// PostgreSQL, checked against the drizzle queries they stand in for.
import { applyMigrations, type Database } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncStore, SYNCAPI_SCHEMA, syncapiMigrations, type Executor, type SyncStore } from "../src/storage";

const U = "@u:test.local";

function row(eventId: string, roomId: string, extra: Record<string, unknown> = {}) {
  return {
    eventId,
    roomId,
    type: "m.room.message",
    sender: "@a:test.local",
    stateKey: null as string | null,
    depth: 1,
    roomVersion: "12",
    eventJson: { type: "m.room.message", content: { body: eventId }, origin_server_ts: 1 } as Record<string, unknown>,
    unsignedExtra: {},
    txnId: null as string | null,
    txnDeviceId: null as string | null,
    containsUrl: false,
    originKind: "new" as "new" | "old" | "outlier",
    excluded: false,
    relatesTo: null as string | null,
    relType: null as string | null,
    ...extra,
  };
}

describe("syncapi hot-path statements", () => {
  let db: Database;
  let store: SyncStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyMigrations(db, SYNCAPI_SCHEMA, syncapiMigrations);
    store = createSyncStore(db.drizzle as unknown as Executor, db.sql);
  });
  afterAll(() => db.close());

  it("insertLiveEvent: stores, moves the room position, NOTIFYs once; a duplicate does nothing; an outlier is upgraded to a new position", async () => {
    const heard: string[] = [];
    const listening = await db.sql.listen("hot_path_test", (p) => heard.push(p));
    const notice = { channel: "hot_path_test", payload: "hello" };
    const pos = await store.hot.insertLiveEvent(row("$m1", "!r"), notice);
    expect(pos).toBeGreaterThan(0);
    expect((await store.positions.currentPositions()).room).toBe(pos);
    const [stored] = await store.events.eventsByIds(["$m1"]);
    expect(stored).toMatchObject({ pos, roomId: "!r", originKind: "new", eventJson: row("$m1", "!r").eventJson, unsignedExtra: {}, stateKey: null, depth: 1 });
    expect(await store.hot.insertLiveEvent(row("$m1", "!r", { eventJson: { changed: true } }), notice)).toBeUndefined();
    expect((await store.events.eventsByIds(["$m1"]))[0]!.eventJson).toEqual(row("$m1", "!r").eventJson);

    const [outlier] = await store.events.insertEvents([row("$o1", "!r", { originKind: "outlier" })]);
    const upgraded = await store.hot.insertLiveEvent(row("$o1", "!r", { txnId: "t1", txnDeviceId: "D" }));
    expect(upgraded).toBeGreaterThan(outlier!.pos);
    expect((await store.events.eventsByIds(["$o1"]))[0]).toMatchObject({ pos: upgraded, originKind: "new", txnId: "t1", txnDeviceId: "D" });
    expect((await store.positions.currentPositions()).room).toBe(upgraded);

    for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual(["hello"]);
    await listening.unlisten();
  });

  it("upsertAccountDataLive: a repeated or older change moves nothing; a newer one takes a new position and moves the stream", async () => {
    const heard: string[] = [];
    const listening = await db.sql.listen("hot_path_ad", (p) => heard.push(p));
    const notice = { channel: "hot_path_ad", payload: "ad" };
    const set = (content: Record<string, unknown>, sourcePos: number) =>
      store.hot.upsertAccountDataLive({ userId: "@ad:test.local", roomId: "!r", type: "m.tag", content, sourcePos }, notice);
    const p1 = await set({ v: 1 }, 5);
    expect(p1).toBeGreaterThan(0);
    expect((await store.positions.currentPositions()).accountData).toBe(p1);
    expect(await set({ v: 1 }, 5)).toBeUndefined();
    expect(await set({ v: 0 }, 4)).toBeUndefined();
    const p2 = await set({ v: 2 }, 6);
    expect(p2).toBeGreaterThan(p1!);
    expect((await store.positions.currentPositions()).accountData).toBe(p2);
    expect((await store.accountData.accountDataChanges("@ad:test.local", 0, p2!)).map((r) => [r.roomId, r.content, r.sourcePos])).toEqual([["!r", { v: 2 }, 6]]);
    for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual(["ad", "ad"]);
    await listening.unlisten();
  });

  it("syncOverview agrees with the queries it replaces", async () => {
    const m = (roomId: string, pos: number, membership: string) => store.memberships.insertMemberships([{ userId: U, roomId, pos, membership, eventId: `$${roomId}${pos}` }]);
    const pe = (await store.events.insertEvent(row("$in-a", "!a")))!;
    const since = { room: pe - 1, accountData: 0 };
    await m("!a", pe - 3, "invite");
    await m("!a", pe + 1, "join");
    await m("!b", pe - 2, "join");
    await m("!c", pe + 2, "join");
    await store.invites.insertInvite({ eventId: "$inv", roomId: "!d", userId: U, inviteEvent: {}, roomVersion: "12", strippedState: [{ type: "x" }] }, pe + 3);
    await store.invites.insertInvite({ eventId: "$old-inv", roomId: "!e", userId: U, inviteEvent: {}, roomVersion: "12", strippedState: [] }, pe - 3);
    await store.invites.retireInvite("$old-inv", pe + 4, { eventId: "$rej", membership: "leave" });
    const ad = await store.accountData.upsertAccountData({ userId: U, roomId: "", type: "m.direct", content: { v: 1 }, sourcePos: 1 });
    await store.accountData.upsertAccountData({ userId: U, roomId: "!a", type: "m.tag", content: { t: 1 }, sourcePos: 2 });
    await store.positions.bumpPosition("room", pe + 10);
    await store.positions.bumpPosition("account_data", ad! + 1);
    const now = await store.positions.currentPositions();

    const o = await store.hot.syncOverview(U, since);
    expect(o.now).toEqual(now);
    const byRoom = (rows: { roomId: string }[]) => [...rows].sort((x, y) => x.roomId.localeCompare(y.roomId));
    expect(byRoom(o.memberships)).toEqual(byRoom(await store.memberships.membershipsAt(U, now.room)));
    const before = new Map((await store.memberships.membershipsAt(U, since.room)).map((r) => [r.roomId, r.membership]));
    // Only rooms whose membership moved after since are listed; the others are as now.
    expect(Object.fromEntries(o.membershipsBefore)).toEqual({ "!a": before.get("!a") });
    expect(o.membershipsBefore.has("!c")).toBe(false);
    expect(before.has("!c")).toBe(false);
    expect(o.accountData.map((a) => a.type).sort()).toEqual((await store.accountData.accountDataChanges(U, since.accountData, now.accountData)).map((a) => a.type).sort());
    expect(o.pendingInvites).toEqual(await store.invites.pendingInvites(U, since.room, now.room));
    expect(o.retiredInvites).toEqual(await store.invites.retiredInvites(U, since.room, now.room));
    expect([...o.roomsWithEvents]).toEqual([...(await store.events.roomsWithEvents(["!a", "!b", "!c"], since.room, now.room))]);
    expect([...o.roomsWithEvents]).toEqual(["!a"]);

    // Initial: no before, no retired invites, no rooms-with-events (every joined room is built).
    const initial = await store.hot.syncOverview(U, undefined);
    expect(initial.membershipsBefore.size).toBe(0);
    expect(initial.retiredInvites).toEqual([]);
    expect(initial.roomsWithEvents.size).toBe(0);
    expect(initial.pendingInvites.map((i) => i.eventId)).toEqual(["$inv"]);
    expect(initial.accountData).toHaveLength(2);
  });

  it("roomDelta: the newest window under a filter, visibility and state rows, the point and the summary", async () => {
    const room = "!delta";
    const p1 = (await store.hot.insertLiveEvent(row("$d1", room, { depth: 5 })))!;
    const from = p1 - 1;
    const p2 = (await store.hot.insertLiveEvent(row("$d2", room, { depth: 6, type: "m.reaction" })))!;
    const p3 = (await store.hot.insertLiveEvent(row("$d3", room, { depth: 7 })))!;
    await store.state.applyStateDelta(room, p1, [{ type: "m.room.member", stateKey: U, eventId: "$join", membership: "join" }, { type: "m.room.member", stateKey: "@h:test.local", eventId: "$h", membership: "invite" }], []);
    await store.state.applyStateDelta(room, p2, [{ type: "m.room.history_visibility", stateKey: "", eventId: "$d2", membership: null }], []);
    const d = await store.hot.roomDelta({ roomId: room, userId: U, after: from, upTo: p3, fetch: 3, filter: { not_types: ["m.reac*"] }, needPoint: false, withSummary: true });
    expect(d.timeline.map((e) => e.eventId)).toEqual(["$d3", "$d1"]);
    expect(d.timeline).toEqual(await store.events.latestInRange(room, from, p3, 3, { not_types: ["m.reac*"] }));
    expect(d.memberRows.map((r) => r.eventId)).toEqual(["$join"]);
    expect(d.visibilityRows.map((v) => [v.row.eventId, v.held])).toEqual([["$d2", true]]);
    expect(d.stateRows.map((s) => [s.row.eventId, s.event?.eventId ?? null]).sort()).toEqual([["$d2", "$d2"], ["$h", null], ["$join", null]]);
    expect(d.point).toBeUndefined();
    expect(d.summary).toEqual({ joined: 1, invited: 1, heroes: ["@h:test.local"] });

    // Read along with the overview: the same delta, for joined rooms with news whose membership did not move.
    await store.memberships.insertMemberships([{ userId: U, roomId: room, pos: p1 - 1, membership: "join", eventId: "$join" }]);
    const spec = { userId: U, fetch: 3, filter: { not_types: ["m.reac*"] }, needPoint: false, withSummary: true };
    const o = await store.hot.syncOverview(U, { room: from, accountData: 0 }, spec);
    expect(o.roomsWithEvents.has(room)).toBe(true);
    expect(o.deltas.get(room)).toEqual(await store.hot.roomDelta({ ...spec, roomId: room, after: from, upTo: o.now.room }));
    expect((await store.hot.syncOverview(U, { room: p1 - 2, accountData: 0 }, spec)).deltas.has(room)).toBe(false);
    expect((await store.hot.syncOverview(U, { room: from, accountData: 0 })).deltas.size).toBe(0);

    // Lazy loading: the senders' member rows at the start of the window, and what the device holds of them.
    const lazyRoom = "!lazy";
    const q1 = (await store.hot.insertLiveEvent(row("$l1", lazyRoom, { sender: "@s1:test.local" })))!;
    const q2 = (await store.hot.insertLiveEvent(row("$l2", lazyRoom, { sender: "@s2:test.local" })))!;
    await store.state.applyStateDelta(lazyRoom, q1 - 1, [
      { type: "m.room.member", stateKey: "@s1:test.local", eventId: "$s1-join", membership: "join" },
      { type: "m.room.member", stateKey: "@s2:test.local", eventId: "$s2-join", membership: "join" },
      { type: "m.room.member", stateKey: "@quiet:test.local", eventId: "$q-join", membership: "join" },
    ], []);
    await store.lazyMembers.recordSentMembers(U, "D", lazyRoom, new Map([["@s1:test.local", "$s1-join"], ["@quiet:test.local", "$q-join"]]));
    const lazy = await store.hot.roomDelta({ roomId: lazyRoom, userId: U, after: q1 - 1, upTo: q2, fetch: 11, needPoint: false, withSummary: false, lazy: { deviceId: "D" } });
    const expected = await store.state.membersAfter(lazyRoom, q1 - 1, ["@s1:test.local", "@s2:test.local"]);
    expect(lazy.lazy!.members.map((m) => m.row).sort((x, y) => x.stateKey.localeCompare(y.stateKey))).toEqual(expected.sort((x, y) => x.stateKey.localeCompare(y.stateKey)));
    expect([...lazy.lazy!.sent]).toEqual([["@s1:test.local", "$s1-join"]]);
    // The window's start is after the oldest row it shows: a window of one starts after $l1.
    const one = await store.hot.roomDelta({ roomId: lazyRoom, userId: U, after: q1 - 1, upTo: q2, fetch: 2, needPoint: false, withSummary: false, lazy: { deviceId: "D" } });
    expect(one.lazy!.members.map((m) => m.row.stateKey).sort()).toEqual(["@s1:test.local", "@s2:test.local"]);
    expect((await store.hot.roomDelta({ roomId: lazyRoom, userId: U, after: q1 - 1, upTo: q2, fetch: 11, needPoint: false, withSummary: false })).lazy).toBeUndefined();

    // Nothing in the window: the point after the newest event at or before upTo, as pointAfterPos.
    const empty = await store.hot.roomDelta({ roomId: room, userId: U, after: p3, upTo: p3, fetch: 11, needPoint: false, withSummary: false });
    expect(empty.timeline).toEqual([]);
    const point = await store.events.pointAfterPos(room, p3);
    expect(empty.point && { depth: empty.point.depth, pos: empty.point.pos + 1 }).toEqual(point);
    expect(empty.summary).toBeUndefined();
  });
});
