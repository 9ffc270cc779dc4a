/**
 * The orderings' tie-breaks, exactly as the v2 definitions give them: reverse topological
 * power ordering (sender power from the event's own auth events, then origin_server_ts, then
 * event ID) and mainline ordering (mainline position, then origin_server_ts, then event ID).
 */
import { describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, Room } from "./helpers/room";

describe.each(["2", "11", "12"])("room version %s", (version) => {
  it("conflicting topics at equal power: the later origin_server_ts is applied last and wins", async () => {
    const room = new Room(version);
    const base = room.start();
    const a = base.fork();
    const b = base.fork();
    a.topic("A_LATE", ALICE, "late", { ts: 2000 });
    b.topic("Z_EARLY", ALICE, "early", { ts: 1000 });
    expect((await room.resolveTraced([a, b])).state["m.room.topic|"]).toBe("A_LATE");
  });

  it("conflicting topics at equal power and equal timestamps: the greater event ID wins", async () => {
    const room = new Room(version);
    const base = room.start();
    const a = base.fork();
    const b = base.fork();
    b.topic("T_B", ALICE, "b", { ts: 1000 });
    a.topic("T_A", ALICE, "a", { ts: 1000 });
    expect((await room.resolveTraced([a, b])).state["m.room.topic|"]).toBe("T_B");
    expect((await room.resolveTraced([b, a])).state["m.room.topic|"]).toBe("T_B");
  });

  it("mainline position outranks time: a topic citing newer power levels is applied after an older-based later one", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    const a = base.fork();
    const b = base.fork();
    a.powerLevels("PL1", ALICE, { [ALICE]: 100, [BOB]: 50, [CAROL]: 1 });
    a.topic("T_NEW_BASE", BOB, "cites PL1", { ts: 100 });
    b.topic("T_OLD_BASE", BOB, "cites PL0", { ts: 99999 });
    expect((await room.resolveTraced([a, b])).state["m.room.topic|"]).toBe("T_NEW_BASE");
  });

  it("sender power is read from the event's own power levels, not the resolved ones", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50, [CAROL]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    base.member("JOIN_CAROL", CAROL, "join");
    const a = base.fork();
    const b = base.fork();
    a.powerLevels("PL_PROMOTE_BOB", ALICE, { [ALICE]: 100, [BOB]: 90, [CAROL]: 50 }, { ts: 300 });
    a.joinRules("JR_BOB", BOB, "invite", { ts: 400 });
    b.joinRules("JR_CAROL", CAROL, "knock", { ts: 100 });
    // JR_BOB's own power levels give Bob 90 > Carol's 50, so it sorts before JR_CAROL and
    // JR_CAROL wins. Reading Bob's level from PL0 (50) would tie and the timestamps would
    // put JR_CAROL first, letting JR_BOB win.
    const { state, checks } = await room.resolveTraced([a, b]);
    expect(checks.get("JR_BOB")).toBeUndefined();
    expect(checks.get("JR_CAROL")).toBeUndefined();
    expect(state["m.room.join_rules|"]).toBe("JR_CAROL");
  });
});
