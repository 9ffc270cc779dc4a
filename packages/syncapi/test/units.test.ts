// Pure pieces: tokens, filter matching and validation, event_fields, the notifier.
import { MatrixError } from "@dendrite-ts/protocol";
import { describe, expect, it } from "vitest";
import { createNotifier } from "../src/notifier";
import { LastAnswers } from "../src/routing/last-answers";
import { FilterCache } from "../src/routing/filters";
import { applyEventFields } from "../src/sync/event-fields";
import { eventMatches, filterSchema, matchesPattern, parseFilterParam, roomAllowed, validateFilter } from "../src/sync/filter";
import { parseSyncQuery } from "../src/sync/request";
import { formatSyncToken, formatTopoToken, parsePaginationToken, parseSyncToken } from "../src/sync/tokens";

function errcodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MatrixError ? e.errcode : "not a MatrixError";
  }
  return undefined;
}

describe("tokens", () => {
  it("round-trip", () => {
    expect(parseSyncToken(formatSyncToken({ room: 12, accountData: 3, receipt: 4, typing: 1765000000000, deviceList: 9 }))).toEqual({ room: 12, accountData: 3, receipt: 4, typing: 1765000000000, deviceList: 9, toDevice: 0, presence: 0 });
    expect(parseSyncToken(formatSyncToken({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 9, toDevice: 70 }))).toEqual({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 9, toDevice: 70, presence: 0 });
    expect(parseSyncToken(formatSyncToken({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 9, toDevice: 70, presence: 1765000000001 }))).toEqual({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 9, toDevice: 70, presence: 1765000000001 });
    // A later part needs the ones before it.
    expect(formatSyncToken({ room: 12, accountData: 3, receipt: 4, typing: 5, toDevice: 70 })).toBe("s12_3_4_5_0_70");
    expect(formatSyncToken({ room: 12, accountData: 3, receipt: 4, typing: 5, presence: 8 })).toBe("s12_3_4_5_0_0_8");
    // The form from before receipts and typing: both at 0; and from before device lists.
    expect(parseSyncToken("s12_3")).toEqual({ room: 12, accountData: 3, receipt: 0, typing: 0, deviceList: 0, toDevice: 0, presence: 0 });
    expect(parseSyncToken("s12_3_4_5")).toEqual({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 0, toDevice: 0, presence: 0 });
    // And from before to-device messages (none acknowledged), and before presence.
    expect(parseSyncToken("s12_3_4_5_6")).toEqual({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 6, toDevice: 0, presence: 0 });
    expect(parseSyncToken("s12_3_4_5_6_7")).toEqual({ room: 12, accountData: 3, receipt: 4, typing: 5, deviceList: 6, toDevice: 7, presence: 0 });
    expect(parsePaginationToken(formatTopoToken({ depth: 7, pos: 99 }), "from")).toEqual({ kind: "topo", point: { depth: 7, pos: 99 } });
    expect(parsePaginationToken("s5_6_7_8", "from")).toEqual({ kind: "sync", positions: { room: 5, accountData: 6, receipt: 7, typing: 8, deviceList: 0, toDevice: 0, presence: 0 } });
  });
  it.each(["", "s", "s1", "s1_", "s1_2_3", "s1_2_3_", "s1_2_3_4_5_6_7_8", "s1_2_3_4_5_6_", "s1_2_3_4_5_", "s1_2_3_4_", "s1_2__4", "t1", "x1_2", "s-1_2", "s1_2 ", "s99999999999999999_1"])("%j is M_INVALID_PARAM", (t) => {
    expect(errcodeOf(() => parsePaginationToken(t, "from"))).toBe("M_INVALID_PARAM");
  });
});

describe("sync query", () => {
  it("defaults and limits", () => {
    expect(parseSyncQuery({})).toEqual({ timeoutMs: 0, fullState: false, useStateAfter: false });
    expect(parseSyncQuery({ use_state_after: "true" }).useStateAfter).toBe(true);
    expect(parseSyncQuery({ timeout: "99999999" }).timeoutMs).toBe(5 * 60_000);
    expect(errcodeOf(() => parseSyncQuery({ since: ["s1_1", "s2_2"] }))).toBe("M_INVALID_PARAM");
  });
});

describe("filters", () => {
  it("types with * wildcards; not_types wins", () => {
    expect(matchesPattern("m.room.*", "m.room.message")).toBe(true);
    expect(matchesPattern("m.room.*", "m.roomy")).toBe(false);
    expect(matchesPattern("m.(x)+", "m.(x)+")).toBe(true);
    expect(eventMatches({ types: ["m.*"], not_types: ["m.room.member"] }, { type: "m.room.member" })).toBe(false);
    expect(eventMatches({ senders: ["@a:x"] }, { type: "t", sender: "@b:x" })).toBe(false);
    expect(eventMatches({ types: [] }, { type: "t" })).toBe(false);
    expect(roomAllowed({ rooms: ["!a"], not_rooms: ["!a"] }, "!a")).toBe(false);
  });
  it("validation: bad shapes are rejected with the errcode asked for", () => {
    expect(errcodeOf(() => validateFilter(filterSchema, { room: { timeline: { limit: 1.5 } } }, "M_BAD_JSON"))).toBe("M_BAD_JSON");
    expect(errcodeOf(() => parseFilterParam(filterSchema, "[1"))).toBe("M_INVALID_PARAM");
    expect(validateFilter(filterSchema, { room: { timeline: { limit: 3 } }, unknown_key: 1 }, "M_BAD_JSON")).toMatchObject({ unknown_key: 1 });
  });
  it("event_fields keeps nested paths, with \\. escaping a dot", () => {
    const ev = { type: "t", content: { body: "b", "m.relates_to": { x: 1 }, other: 2 }, sender: "s" };
    expect(applyEventFields([ev], ["content.body", "content.m\\.relates_to", "missing.path"])).toEqual([{ content: { body: "b", "m.relates_to": { x: 1 } } }]);
    expect(applyEventFields([ev], undefined)).toEqual([ev]);
  });
});

describe("notifier", () => {
  it("wakes the waiting user, not others; a wake before wait() still counts", async () => {
    const n = createNotifier();
    const a = n.waiter("@a");
    const b = n.waiter("@b");
    n.wake({ users: ["@a"] });
    expect(await a.wait(1000)).toBe(true);
    expect(await b.wait(20)).toBe(false);
  });
  it("wakes the waiters registered for a room", async () => {
    const n = createNotifier();
    const inRoom = n.waiter("@a", ["!r"]);
    const elsewhere = n.waiter("@b", ["!other"]);
    n.wake({ rooms: ["!r"] });
    expect(await inRoom.wait(1000)).toBe(true);
    expect(await elsewhere.wait(20)).toBe(false);
    // A finished waiter is gone: waking again reaches no one and leaks nothing.
    n.wake({ rooms: ["!r"], users: ["@a"] });
  });
  it("rooms learned after the waiter was made: a wake of one of them in between counts, of another room not", async () => {
    const n = createNotifier();
    const w = n.waiter("@a");
    n.wake({ rooms: ["!other"] });
    w.watchRooms(["!r"]);
    expect(await w.wait(20)).toBe(false);
    const late = n.waiter("@a");
    n.wake({ rooms: ["!r"] });
    late.watchRooms(["!r"]);
    expect(await late.wait(1000)).toBe(true);
    // Watched from then on.
    const after = n.waiter("@a");
    after.watchRooms(["!r"]);
    setTimeout(() => n.wake({ rooms: ["!r"] }), 10);
    expect(await after.wait(1000)).toBe(true);
  });
  it("wakes a wait in progress promptly", async () => {
    const n = createNotifier();
    const w = n.waiter("@a");
    setTimeout(() => n.wake({ users: ["@a"] }), 10);
    expect(await w.wait(60_000)).toBe(true); // a timeout (false) would outlast the test's 20 s
  });
});

describe("notifier marks: quiet since a mark", () => {
  it("is quiet until a wake names the user or one of the rooms", () => {
    const n = createNotifier();
    const m = n.mark();
    expect(n.quietSince(m, "@a", ["!r"])).toBe(true);
    n.wake({ rooms: ["!other"], users: ["@b"] });
    expect(n.quietSince(m, "@a", ["!r"])).toBe(true);
    n.wake({ rooms: ["!r"] });
    expect(n.quietSince(m, "@a", ["!r"])).toBe(false);
    const m2 = n.mark();
    expect(n.quietSince(m2, "@a", ["!r"])).toBe(true);
    n.wake({ users: ["@a"] });
    expect(n.quietSince(m2, "@a", [])).toBe(false);
  });
  it("a waiter reports the mark of the wake that woke it", async () => {
    const n = createNotifier();
    const w = n.waiter("@a", ["!r"]);
    n.wake({ rooms: ["!x"] });
    n.wake({ rooms: ["!r"] });
    const at = n.mark();
    n.wake({ rooms: ["!r"] });
    expect(await w.wait(10)).toBe(true);
    expect(w.wokenMark()).toBe(at);
    expect(n.quietSince(at, "@a", ["!r"])).toBe(false);
  });
  it("nothing is quiet across a wake of everyone, or once too many rooms and users were tracked", () => {
    const n = createNotifier({ maxTracked: 3 });
    let m = n.mark();
    n.wakeAll();
    expect(n.quietSince(m, "@a", [])).toBe(false);
    m = n.mark();
    expect(n.quietSince(m, "@a", [])).toBe(true);
    n.wake({ rooms: ["!1", "!2"], users: ["@x", "@y"] });
    n.wake({ rooms: ["!3"] }); // past 3 tracked: forgotten, so an old mark is no longer known quiet
    expect(n.quietSince(m, "@a", [])).toBe(false);
    const after = n.mark();
    expect(n.quietSince(after, "@a", ["!1"])).toBe(true);
  });
});

describe("last answers", () => {
  const quietNotifier = { quietSince: () => true };
  const answer = (token: string, rooms: string[]) => ({ token, filter: "", joined: new Set(rooms), mark: 0 });

  it("gives the joined rooms for the device's last token and filter only", () => {
    const a = new LastAnswers();
    a.remember("@u\nD", answer("s5_1", ["!r"]));
    expect([...(a.quietAt("@u\nD", "@u", "s5_1", "", quietNotifier) ?? [])]).toEqual(["!r"]);
    expect(a.quietAt("@u\nD", "@u", "s4_1", "", quietNotifier)).toBeUndefined();
    expect(a.quietAt("@u\nD", "@u", "s5_1", "{}", quietNotifier)).toBeUndefined();
    expect(a.quietAt("@u\nE", "@u", "s5_1", "", quietNotifier)).toBeUndefined();
    expect(a.quietAt("@u\nD", "@u", "s5_1", "", { quietSince: () => false })).toBeUndefined();
  });

  it("holds at most its budget of joined rooms, forgetting the least recently answered devices", () => {
    const a = new LastAnswers(5);
    a.remember("A", answer("s1_0", ["!1", "!2"]));
    a.remember("B", answer("s1_0", ["!1", "!2"]));
    a.remember("A", answer("s2_0", ["!1", "!2"])); // answered again: now the most recent
    a.remember("C", answer("s1_0", ["!3", "!4"])); // 6 > 5: B goes
    expect(a.quietAt("B", "@b", "s1_0", "", quietNotifier)).toBeUndefined();
    expect(a.quietAt("A", "@a", "s2_0", "", quietNotifier)).toBeDefined();
    expect(a.quietAt("C", "@c", "s1_0", "", quietNotifier)).toBeDefined();
    a.remember("D", answer("s1_0", ["!1", "!2", "!3", "!4", "!5", "!6"])); // alone over budget: not kept
    expect(a.quietAt("D", "@d", "s1_0", "", quietNotifier)).toBeUndefined();
    expect(a.quietAt("C", "@c", "s1_0", "", quietNotifier)).toBeDefined();
  });
});

describe("stored filter cache", () => {
  it("keeps the most recently used filters, up to its size", () => {
    const c = new FilterCache(2);
    c.set("a", { room: { timeline: { limit: 1 } } });
    c.set("b", {});
    expect(c.get("a")).toEqual({ room: { timeline: { limit: 1 } } });
    c.set("c", {});
    // b was the least recently used.
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBeDefined();
    expect(c.get("c")).toBeDefined();
  });
});
