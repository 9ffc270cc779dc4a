import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoomserverStore, type StateEntry } from "../../src/storage";
import { openTestStore, type TestStore } from "./helpers";

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(() => t.db.close());

const MEMBER = 2;
function bigRoom(members: number): StateEntry[] {
  const out: StateEntry[] = [{ typeNid: 1, stateKeyNid: 1, eventNid: 1 }];
  for (let i = 0; i < members; i++) out.push({ typeNid: MEMBER, stateKeyNid: 100 + i, eventNid: 1000 + i });
  return out;
}

async function countBlocks(): Promise<number> {
  const [r] = await t.db.sql`SELECT count(*)::int AS n FROM roomserver.state_blocks`;
  return (r as { n: number }).n;
}

describe("state_blocks / state_snapshots", () => {
  it("round-trips state sorted by key, empty state is snapshot 0", async () => {
    expect(await t.store.writeState(1, [])).toBe(0);
    expect(await t.store.loadState(0)).toEqual([]);
    const entries = [
      { typeNid: 3, stateKeyNid: 1, eventNid: 9 },
      { typeNid: 1, stateKeyNid: 1, eventNid: 1 },
    ];
    const nid = await t.store.writeState(1, entries);
    expect(await t.store.loadState(nid)).toEqual([entries[1], entries[0]]);
  });

  it("the same state in the same room is one snapshot", async () => {
    const a = await t.store.writeState(2, bigRoom(50));
    const b = await t.store.writeState(2, [...bigRoom(50)].reverse());
    expect(b).toBe(a);
  });

  it("a state change in a 30,000-member room writes about one block, not a copy", async () => {
    const state = bigRoom(30_000);
    const before = await t.store.writeState(3, state);
    const blocksBefore = await countBlocks();
    expect(blocksBefore).toBeGreaterThan(100);
    // One member's membership changes: one entry points at a new event.
    const changed = state.map((e) => (e.stateKeyNid === 15_000 ? { ...e, eventNid: 999_999 } : e));
    const after = await t.store.writeState(3, changed);
    expect(after).not.toBe(before);
    expect((await countBlocks()) - blocksBefore).toBeLessThanOrEqual(2);
    const loaded = await t.store.loadState(after);
    expect(loaded).toHaveLength(30_001);
    expect(loaded.find((e) => e.stateKeyNid === 15_000)?.eventNid).toBe(999_999);
    // The blocks are shared: the two snapshots differ in one block NID.
    const [x, y] = [await t.store.snapshotBlockNids(before), await t.store.snapshotBlockNids(after)];
    expect(x.filter((n, i) => y[i] !== n)).toHaveLength(1);
  });

  it("a fresh store (empty caches) reads the same state back from the blocks", async () => {
    const state = bigRoom(2_000);
    const nid = await t.store.writeState(4, state);
    const fresh = createRoomserverStore(t.db);
    expect(await fresh.loadState(nid)).toEqual(await t.store.loadState(nid));
    expect((await fresh.loadState(nid)).length).toBe(2_001);
    // Writing it again from a store that has never seen it finds the blocks by hash.
    const blocksBefore = await countBlocks();
    expect(await createRoomserverStore(t.db).writeState(4, state)).toBe(nid);
    expect(await countBlocks()).toBe(blocksBefore);
  });

  it("entriesAt finds one key in each of several snapshots, from warm or cold caches, without assembling them", async () => {
    const state = bigRoom(3_000);
    const a = await t.store.writeState(5, state);
    const b = await t.store.writeState(5, state.map((e) => (e.stateKeyNid === 2_000 ? { ...e, eventNid: 777_777 } : e)));
    const lookups = [
      { stateSnapshotNid: a, typeNid: MEMBER, stateKeyNid: 2_000 },
      { stateSnapshotNid: b, typeNid: MEMBER, stateKeyNid: 2_000 },
      { stateSnapshotNid: a, typeNid: 1, stateKeyNid: 1 },
      { stateSnapshotNid: b, typeNid: MEMBER, stateKeyNid: 100 + 2_999 },
      { stateSnapshotNid: a, typeNid: MEMBER, stateKeyNid: 99 },
      { stateSnapshotNid: a, typeNid: 9, stateKeyNid: 1 },
      { stateSnapshotNid: 0, typeNid: 1, stateKeyNid: 1 },
    ];
    const expected = [1_000 + 1_900, 777_777, 1, 1_000 + 2_999, undefined, undefined, undefined];
    expect((await t.store.entriesAt(lookups)).map((e) => e?.eventNid)).toEqual(expected);
    expect((await createRoomserverStore(t.db).entriesAt(lookups)).map((e) => e?.eventNid)).toEqual(expected);
  });
});
