import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEventRow } from "../../src/storage";
import { openTestStore, type TestStore } from "./helpers";

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(() => t.db.close());

function row(eventId: string, depth: number, extra: Partial<NewEventRow> = {}): NewEventRow {
  return {
    roomNid: 1,
    eventId,
    eventTypeNid: 1,
    eventStateKeyNid: null,
    sender: "@alice:a",
    depth,
    originServerTs: 1000,
    json: `{"event_id":"${eventId}"}`,
    ...extra,
  };
}

describe("events", () => {
  it("batch-inserts and keeps the first row of a duplicate", async () => {
    const first = await t.store.insertEvents([row("$a", 1), row("$b", 2, { rejected: true, rejectionReason: "x" })]);
    expect([...first.values()].every((v) => v.inserted)).toBe(true);
    const again = await t.store.insertEvents([row("$a", 99), row("$c", 3)]);
    expect(again.get("$a")).toEqual({ eventNid: first.get("$a")!.eventNid, inserted: false });
    expect(again.get("$c")?.inserted).toBe(true);
    const [a] = await t.store.eventsByIds(["$a"]);
    expect(a?.depth).toBe(1);
    const [b] = await t.store.eventsByNids([first.get("$b")!.eventNid]);
    expect(b).toMatchObject({ rejected: true, rejectionReason: "x" });
  });
  it("knows the greatest depth among events and marks redactions", async () => {
    const nids = await t.store.eventNidsByIds(["$a", "$b", "$c"]);
    expect(await t.store.maxDepth([...nids.values()])).toBe(3);
    await t.store.setRedactedBy("$a", "$r");
    expect((await t.store.eventsByIds(["$a"]))[0]?.redactedBy).toBe("$r");
  });
  it("walks the auth chain through auth_event_nids in one query", async () => {
    const a = await t.store.insertEvents([row("$c1", 1)]);
    const c1 = a.get("$c1")!.eventNid;
    const b = await t.store.insertEvents([row("$c2", 2, { authEventNids: [c1] })]);
    const c2 = b.get("$c2")!.eventNid;
    const c = await t.store.insertEvents([row("$c3", 3, { authEventNids: [c1, c2] })]);
    expect((await t.store.authChainNids([c.get("$c3")!.eventNid])).sort((x, y) => x - y)).toEqual([c1, c2]);
    expect(await t.store.authChainNids([c1])).toEqual([]);
  });

  it("rolls back with the transaction", async () => {
    await expect(
      t.store.transaction(async (tx) => {
        await tx.insertEvents([row("$rolled", 1)]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await t.store.eventsByIds(["$rolled"])).toEqual([]);
  });
});
