import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore, type TestStore } from "./helpers";

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(() => t.db.close());

describe("event_types / event_state_keys", () => {
  it("assigns one NID per string and returns the same one again", async () => {
    const a = await t.store.assignEventTypeNids(["m.room.create", "m.room.member", "m.room.create"]);
    expect(a.size).toBe(2);
    const b = await t.store.assignEventTypeNids(["m.room.member", "m.room.message"]);
    expect(b.get("m.room.member")).toBe(a.get("m.room.member"));
    const back = await t.store.eventTypesByNid([...b.values()]);
    expect(back.get(b.get("m.room.message")!)).toBe("m.room.message");
  });
  it("looks up state keys without creating them", async () => {
    const assigned = await t.store.assignStateKeyNids(["", "@alice:a"]);
    const found = await t.store.stateKeyNids(["@alice:a", "@nobody:a"]);
    expect(found.get("@alice:a")).toBe(assigned.get("@alice:a"));
    expect(found.has("@nobody:a")).toBe(false);
  });
});

describe("rooms", () => {
  it("assigns a room NID once and moves the room forward", async () => {
    const nid = await t.store.assignRoomNid("!r:a", "12");
    expect(await t.store.assignRoomNid("!r:a", "12")).toBe(nid);
    await t.store.updateLatestEvents(nid, 7, [3, 4], 4);
    const info = await t.store.roomInfo("!r:a");
    expect(info).toMatchObject({ roomNid: nid, roomVersion: "12", stateSnapshotNid: 7, latestEventNids: [3, 4], lastEventNid: 4 });
    expect((await t.store.roomIdsByNid([nid])).get(nid)).toBe("!r:a");
  });
});

describe("aliases", () => {
  it("sets, resolves, lists and removes; a taken alias is refused", async () => {
    expect(await t.store.insertAlias("#x:a", "!r:a", "@alice:a")).toBe(true);
    expect(await t.store.insertAlias("#x:a", "!other:a", "@bob:a")).toBe(false);
    expect(await t.store.resolveAlias("#x:a")).toEqual({ roomId: "!r:a", creatorId: "@alice:a" });
    expect(await t.store.aliasesForRoom("!r:a")).toEqual(["#x:a"]);
    expect(await t.store.deleteAlias("#x:a")).toBe(true);
    expect(await t.store.resolveAlias("#x:a")).toBeUndefined();
  });
});

describe("redactions", () => {
  it("records a redaction before its target arrives and validates it later", async () => {
    await t.store.insertRedaction("$red", "$target");
    await t.store.insertRedaction("$red", "$target");
    expect(await t.store.redactionsOf("$target")).toEqual([{ redactionEventId: "$red", redactsEventId: "$target", validated: false }]);
    await t.store.markValidated("$red");
    expect((await t.store.redaction("$red"))?.validated).toBe(true);
  });
});

describe("published", () => {
  it("publishes, lists in order and unpublishes", async () => {
    await t.store.setPublished("!b:a", true);
    await t.store.setPublished("!a:a", true);
    await t.store.setPublished("!c:a", false);
    expect(await t.store.publishedRoomIds()).toEqual(["!a:a", "!b:a"]);
    await t.store.setPublished("!a:a", false);
    expect(await t.store.isPublished("!a:a")).toBe(false);
    expect(await t.store.isPublished("!b:a")).toBe(true);
  });
});
