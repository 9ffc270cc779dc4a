import { describe, expect, it } from "vitest";
import { diffState, findKey, lookupEntry, withEntry } from "../src/internal/state";
import { chunkEntries, normaliseEntries } from "../src/storage/state-entries";

const e = (typeNid: number, stateKeyNid: number, eventNid: number) => ({ typeNid, stateKeyNid, eventNid });
const state = [e(1, 1, 10), e(2, 5, 20), e(2, 7, 21), e(3, 1, 30)];

describe("sorted state entries", () => {
  it("finds keys and insertion points by binary search", () => {
    expect(findKey(state, 2, 7)).toBe(2);
    expect(findKey(state, 2, 6)).toBe(-3);
    expect(lookupEntry(state, 3, 1)?.eventNid).toBe(30);
    expect(lookupEntry(state, 9, 9)).toBeUndefined();
  });

  it("puts an entry in place without disturbing the order or the input", () => {
    expect(withEntry(state, e(2, 6, 99))).toEqual([e(1, 1, 10), e(2, 5, 20), e(2, 6, 99), e(2, 7, 21), e(3, 1, 30)]);
    expect(withEntry(state, e(2, 5, 99))[1]).toEqual(e(2, 5, 99));
    expect(state[1]).toEqual(e(2, 5, 20));
    expect(withEntry(state, undefined)).toBe(state);
  });

  it("diffs two states in one pass: replaced, added and removed keys", () => {
    const after = [e(1, 1, 10), e(2, 5, 25), e(3, 1, 30), e(4, 1, 40)];
    expect(diffState(state, after)).toEqual({ adds: [e(2, 5, 25), e(4, 1, 40)], removes: [e(2, 5, 20), e(2, 7, 21)] });
    expect(diffState(state, state)).toEqual({ adds: [], removes: [] });
  });

  it("normalises unsorted input and keeps blocks whole across a one-key change", () => {
    expect(normaliseEntries([e(2, 1, 1), e(1, 1, 2), e(2, 1, 3)])).toEqual([e(1, 1, 2), e(2, 1, 3)]);
    const big = Array.from({ length: 5000 }, (_, i) => e(7, i + 1, i + 1000));
    const before = chunkEntries(big).map((b) => b.map((x) => x.eventNid).join());
    const after = chunkEntries(withEntry(big, e(7, 2500, 1))).map((b) => b.map((x) => x.eventNid).join());
    expect(after.length).toBe(before.length);
    expect(after.filter((b, i) => b !== before[i])).toHaveLength(1);
  });
});
