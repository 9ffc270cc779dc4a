import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore, type TestStore } from "./helpers";

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(() => t.db.close());

const m = (roomNid: number, targetNid: number, membership: string, eventNid: number) => ({
  roomNid,
  targetNid,
  membership,
  eventNid,
  sender: "@alice:a",
  targetLocal: targetNid < 100,
});

describe("memberships", () => {
  it("upserts from state changes and answers per room and per user", async () => {
    await t.store.upsertMemberships([m(1, 1, "join", 10), m(1, 2, "invite", 11), m(1, 200, "join", 12), m(2, 1, "join", 13)]);
    await t.store.upsertMemberships([m(1, 2, "join", 14)]);
    expect((await t.store.membership(1, 2))?.membership).toBe("join");
    expect(await t.store.roomMembers(1, { membership: "join" })).toHaveLength(3);
    expect(await t.store.roomMembers(1, { membership: "join", localOnly: true })).toHaveLength(2);
    expect((await t.store.roomsForUser(1, "join")).sort()).toEqual([1, 2]);
  });
  it("forgets only a room the user has left, and a re-join un-forgets it", async () => {
    await t.store.setForgotten(2, 1, true);
    expect((await t.store.membership(2, 1))?.forgotten).toBe(false);
    await t.store.upsertMemberships([m(2, 1, "leave", 15)]);
    await t.store.setForgotten(2, 1, true);
    expect(await t.store.roomsForUser(1, "leave")).toEqual([]);
    expect(await t.store.roomsForUser(1, "leave", true)).toEqual([2]);
    await t.store.upsertMemberships([m(2, 1, "join", 16)]);
    expect((await t.store.membership(2, 1))?.forgotten).toBe(false);
  });
});

describe("invites", () => {
  it("records once and retires all pending invites of a user in a room", async () => {
    const inv = { inviteEventId: "$i", roomNid: 1, targetNid: 3, sender: "@alice:a", inviteJson: "{}" };
    expect(await t.store.insertInvite(inv)).toBe(true);
    expect(await t.store.insertInvite(inv)).toBe(false);
    expect(await t.store.pendingInvites(1, 3)).toHaveLength(1);
    expect(await t.store.retireInvites(1, 3)).toEqual(["$i"]);
    expect(await t.store.retireInvites(1, 3)).toEqual([]);
  });
});

describe("outbox", () => {
  it("hands back rows in write order and forgets deleted ones", async () => {
    await t.store.appendOutbox([
      { roomId: "!a", payload: { n: 1 } },
      { roomId: "!b", payload: { n: 2 } },
    ]);
    const rows = await t.store.pendingOutbox(0, 10);
    expect(rows.map((r) => r.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    await t.store.deleteOutbox([rows[0]!.outboxId]);
    expect((await t.store.pendingOutbox(0, 10)).map((r) => r.payload)).toEqual([{ n: 2 }]);
  });
});
