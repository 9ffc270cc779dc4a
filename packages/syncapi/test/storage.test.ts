// The syncapi tables against a real PostgreSQL: state history by position, duplicate events,
// invites, account-data ordering, filters per user, lazy-loaded member records.
import { applyMigrations, type Database } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncStore, SYNCAPI_SCHEMA, syncapiMigrations, type Executor, type SyncStore } from "../src/storage";

const ROOM = "!r:test.local";

function row(eventId: string, extra: Partial<Parameters<SyncStore["events"]["insertEvent"]>[0]> = {}) {
  return {
    eventId,
    roomId: ROOM,
    type: "m.room.message",
    sender: "@a:test.local",
    stateKey: null,
    depth: 1,
    roomVersion: "12",
    eventJson: { type: "m.room.message", content: { body: eventId } },
    unsignedExtra: {},
    txnId: null,
    txnDeviceId: null,
    containsUrl: false,
    originKind: "new" as const,
    excluded: false,
    relatesTo: null,
    relType: null,
    ...extra,
  };
}

describe("syncapi storage", () => {
  let db: Database;
  let store: SyncStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyMigrations(db, SYNCAPI_SCHEMA, syncapiMigrations);
    // Applying again is a no-op.
    expect((await applyMigrations(db, SYNCAPI_SCHEMA, syncapiMigrations)).applied).toEqual([]);
    store = createSyncStore(db.drizzle as unknown as Executor);
  });
  afterAll(() => db.close());

  it("output_room_events: a second insert of an event ID stores nothing and takes no position", async () => {
    const pos = await store.events.insertEvent(row("$dup"));
    expect(pos).toBeGreaterThan(0);
    expect(await store.events.insertEvent(row("$dup", { eventJson: { changed: true } }))).toBeUndefined();
    const [stored] = await store.events.eventsByIds(["$dup"]);
    expect(stored!.eventJson).toEqual({ type: "m.room.message", content: { body: "$dup" } });
  });

  it("room_state: state after a position, changes between positions, key history", async () => {
    const add = (eventId: string) => ({ type: "m.room.name", stateKey: "", eventId, membership: null });
    await store.state.applyStateDelta(ROOM, 10, [add("$n1")], []);
    const replaced = await store.state.applyStateDelta(ROOM, 20, [add("$n2")], []);
    expect(replaced.map((r) => r.eventId)).toEqual(["$n1"]);
    await store.state.applyStateDelta(ROOM, 25, [{ type: "m.room.member", stateKey: "@b:test.local", eventId: "$m1", membership: "join" }], []);
    // Removal without replacement (state resolution dropped it).
    const removed = await store.state.applyStateDelta(ROOM, 30, [], ["$m1"]);
    expect(removed.map((r) => r.eventId)).toEqual(["$m1"]);

    const at = async (pos: number) => (await store.state.stateAfter(ROOM, pos)).map((r) => r.eventId).sort();
    expect(await at(9)).toEqual([]);
    expect(await at(10)).toEqual(["$n1"]);
    expect(await at(19)).toEqual(["$n1"]);
    expect(await at(25)).toEqual(["$m1", "$n2"]);
    expect(await at(30)).toEqual(["$n2"]);
    expect((await store.state.stateChanges(ROOM, 10, 29)).map((r) => r.eventId).sort()).toEqual(["$m1", "$n2"]);
    expect((await store.state.stateChanges(ROOM, 20, 30)).map((r) => r.eventId)).toEqual([]);
    expect((await store.state.keyHistory(ROOM, "m.room.name", "")).map((r) => [r.eventId, r.addedPos, r.removedPos])).toEqual([
      ["$n1", 10, 20],
      ["$n2", 20, null],
    ]);
    // Re-applying the current holder changes nothing.
    expect(await store.state.applyStateDelta(ROOM, 40, [add("$n2")], [])).toEqual([]);
    expect(await at(40)).toEqual(["$n2"]);
  });

  it("room_state: a delta of thousands of entries (a big room's state on join) in chunks", async () => {
    const room = "!big:test.local";
    const members = Array.from({ length: 2500 }, (_, i) => ({ type: "m.room.member", stateKey: `@u${i}:test.local`, eventId: `$join${i}`, membership: "join" }));
    await store.state.applyStateDelta(room, 1000, members, []);
    expect(await store.state.memberCounts(room)).toEqual({ joined: 2500, invited: 0 });
    // Half of them leave at once; the same key twice in one delta: the last wins.
    const leaves = members.slice(0, 1250).map((m) => ({ ...m, eventId: `$leave-${m.stateKey}`, membership: "leave" }));
    const replaced = await store.state.applyStateDelta(room, 1001, [...leaves, { ...members[0]!, eventId: "$rejoin", membership: "join" }], []);
    expect(replaced).toHaveLength(1250);
    expect(await store.state.memberCounts(room)).toEqual({ joined: 1251, invited: 0 });
    expect((await store.state.membersAfter(room, 1001, [members[0]!.stateKey])).map((r) => r.eventId)).toEqual(["$rejoin"]);
    expect((await store.state.stateAfter(room, 1000)).length).toBe(2500);
  });

  it("memberships: each room's latest membership at a position", async () => {
    const m = (roomId: string, pos: number, membership: string) => store.memberships.insertMemberships([{ userId: "@u:test.local", roomId, pos, membership, eventId: `$${roomId}${pos}` }]);
    await m("!a", 1, "invite");
    await m("!a", 3, "join");
    await m("!b", 2, "join");
    await m("!b", 5, "leave");
    const at = async (pos: number) => Object.fromEntries((await store.memberships.membershipsAt("@u:test.local", pos)).map((r) => [r.roomId, r.membership]));
    expect(await at(2)).toEqual({ "!a": "invite", "!b": "join" });
    expect(await at(5)).toEqual({ "!a": "join", "!b": "leave" });
    expect((await store.memberships.joinedRooms("@u:test.local")).sort()).toEqual(["!a"]);
    expect((await store.memberships.roomMembershipHistory("@u:test.local", "!b")).map((r) => r.membership)).toEqual(["join", "leave"]);
  });

  it("invites: pending in a window until retired, retired once", async () => {
    const inv = { eventId: "$inv", roomId: ROOM, userId: "@u:test.local", inviteEvent: {}, roomVersion: "12", strippedState: [] };
    expect(await store.invites.insertInvite(inv, 100)).toBe(true);
    expect(await store.invites.insertInvite(inv, 101)).toBe(false);
    expect((await store.invites.pendingInvites("@u:test.local", 0, 100)).map((r) => r.eventId)).toEqual(["$inv"]);
    expect(await store.invites.pendingInvites("@u:test.local", 100, 200)).toEqual([]);
    expect(await store.invites.retireInvite("$inv", 150)).toBe(true);
    expect(await store.invites.retireInvite("$inv", 160)).toBe(false);
    expect(await store.invites.pendingInvites("@u:test.local", 0, 200)).toEqual([]);
    // Still pending as of a point before the retirement.
    expect((await store.invites.pendingInvites("@u:test.local", 0, 149)).map((r) => r.eventId)).toEqual(["$inv"]);
    expect((await store.invites.retiredInvites("@u:test.local", 100, 200)).map((r) => r.eventId)).toEqual(["$inv"]);
  });

  it("account_data: a repeated or older change of userapi's moves nothing", async () => {
    const set = (content: Record<string, unknown>, sourcePos: number) =>
      store.accountData.upsertAccountData({ userId: "@u:test.local", roomId: "", type: "m.direct", content, sourcePos });
    const p1 = await set({ v: 1 }, 5);
    expect(p1).toBeGreaterThan(0);
    expect(await set({ v: 1 }, 5)).toBeUndefined();
    expect(await set({ v: 0 }, 4)).toBeUndefined();
    const p2 = await set({ v: 2 }, 6);
    expect(p2).toBeGreaterThan(p1!);
    const rows = await store.accountData.accountDataChanges("@u:test.local", 0, p2!);
    expect(rows.map((r) => r.content)).toEqual([{ v: 2 }]);
    expect(await store.accountData.accountDataChanges("@u:test.local", p2!, p2! + 10)).toEqual([]);
  });

  it("filters belong to their user; lazy member records are replaced by newer events", async () => {
    const id = await store.filters.insertFilter("@u:test.local", { room: {} });
    expect(await store.filters.getFilter("@u:test.local", id)).toEqual({ room: {} });
    expect(await store.filters.getFilter("@v:test.local", id)).toBeUndefined();
    await store.lazyMembers.recordSentMembers("@u:test.local", "D", ROOM, new Map([["@x:test.local", "$1"]]));
    await store.lazyMembers.recordSentMembers("@u:test.local", "D", ROOM, new Map([["@x:test.local", "$2"]]));
    expect([...(await store.lazyMembers.sentMembers("@u:test.local", "D", ROOM))]).toEqual([["@x:test.local", "$2"]]);
    expect((await store.lazyMembers.sentMembers("@u:test.local", "OTHER", ROOM)).size).toBe(0);
  });

  it("positions only move forward", async () => {
    await store.positions.bumpPosition("room", 50);
    await store.positions.bumpPosition("room", 40);
    expect((await store.positions.currentPositions()).room).toBe(50);
  });

  it("a transaction that fails leaves nothing behind", async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.events.insertEvent(row("$rolledback"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await store.events.eventsByIds(["$rolledback"])).toEqual([]);
  });
});
