/** The typing lists held in memory (sync/typing.ts): which changes are news, and what a token sees. */
import { describe, expect, it } from "vitest";
import { TypingState } from "../src/sync/typing";

const R = "!r:test.local";
const start = (t: TypingState, user: string, expireTs: number) => t.apply({ roomId: R, userId: user, typing: true, expireTs });
const stop = (t: TypingState, user: string) => t.apply({ roomId: R, userId: user, typing: false, expireTs: null });

describe("TypingState", () => {
  it("starts at the clock, so a token of an earlier process is below it", () => {
    expect(new TypingState(() => 5_000).position()).toBe(5_000);
  });

  it("a start and a stop are news; a renewal and a stop of someone not typing are not", () => {
    let now = 1_000;
    const t = new TypingState(() => now);
    expect(start(t, "@a", 2_000)).toBe(true);
    expect(start(t, "@a", 3_000)).toBe(false);
    expect(stop(t, "@b")).toBe(false);
    expect(t.position()).toBe(1_001);
    expect(t.changedSince(1_000, [R], new Set())).toEqual(new Map([[R, ["@a"]]]));
    expect(t.changedSince(1_001, [R], new Set())).toEqual(new Map());
    // The stop of a timeout that ran out arrives after the expiry: still news (the client saw them typing).
    now = 3_500;
    expect(t.changedSince(1_000, [R], new Set())).toEqual(new Map([[R, []]]));
    expect(stop(t, "@a")).toBe(true);
    expect(t.changedSince(1_001, [R], new Set())).toEqual(new Map([[R, []]]));
  });

  it("a start after an expiry whose stop has not come yet is news", () => {
    let now = 1_000;
    const t = new TypingState(() => now);
    start(t, "@a", 1_500);
    now = 2_000;
    expect(start(t, "@a", 3_000)).toBe(true);
  });

  it("rooms new to the client get their list when someone types; ignored users are left out", () => {
    const t = new TypingState(() => 1_000);
    start(t, "@a", 9_000);
    start(t, "@b", 9_000);
    expect(t.changedSince(99_999, [R, "!other"], new Set([R, "!other"]), new Set(["@b"]))).toEqual(new Map([[R, ["@a"]]]));
  });
});
