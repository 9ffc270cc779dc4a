/**
 * Known hard cases, resolved with v2 (room versions 2 and 11) and v2.1 (room version 12),
 * where both algorithms must agree. Each expected state was worked out by hand from the
 * algorithm text (fragments/v2-state-res.md, v12.md).
 */
import { describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, EVE, Room, named } from "./helpers/room";

const VERSIONS = ["2", "11", "12"] as const;

describe.each(VERSIONS)("room version %s", (version) => {
  it("ban racing a join: the ban (a power event) is applied first, the join and its follow-up fail", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    base.topic("T0", ALICE, "welcome");
    const a = base.fork();
    const b = base.fork();
    a.member("BAN_EVE", EVE, "ban", BOB);
    // The join is older than the ban: ordering by time alone would let it in.
    b.member("JOIN_EVE", EVE, "join", EVE, { ts: 1 });
    b.send({ id: "T_EVE", type: "m.room.topic", sender: EVE, stateKey: "", content: { topic: "eve was here" }, ts: 2 });
    const state = named(room, await room.resolve([a, b]));
    expect(state[`m.room.member|${EVE}`]).toBe("BAN_EVE");
    expect(state["m.room.topic|"]).toBe("T0");
  });

  it("unban racing a ban of the unbanning moderator: the higher-powered ban wins", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    base.member("BAN_EVE", EVE, "ban", ALICE);
    const a = base.fork();
    const b = base.fork();
    // Bob (50) may not unban what a 100 banned? He may: unban needs ban level, not the banner's.
    a.member("UNBAN_EVE", EVE, "leave", BOB, { ts: 1 });
    b.member("BAN_BOB", BOB, "ban", ALICE, { ts: 500 });
    const state = named(room, await room.resolve([a, b]));
    // Power ordering puts Alice's ban of Bob (sender level 100) before Bob's unban (50), so the
    // unban is checked with Bob already banned and fails.
    expect(state[`m.room.member|${BOB}`]).toBe("BAN_BOB");
    expect(state[`m.room.member|${EVE}`]).toBe("BAN_EVE");
  });

  it("a kick racing the kicker's demotion: the demotion (higher sender power) wins", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    base.member("JOIN_CAROL", CAROL, "join");
    const a = base.fork();
    const b = base.fork();
    b.member("KICK_CAROL", CAROL, "leave", BOB, { ts: 1 });
    a.powerLevels("PL_DEMOTE_BOB", ALICE, { [ALICE]: 100 }, { ts: 900 });
    const state = named(room, await room.resolve([a, b]));
    expect(state["m.room.power_levels|"]).toBe("PL_DEMOTE_BOB");
    expect(state[`m.room.member|${CAROL}`]).toBe("JOIN_CAROL");
  });

  it("a kick the demotion does not cover survives (control for the case above)", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50, [CAROL]: 10 });
    base.member("JOIN_BOB", BOB, "join");
    base.member("JOIN_CAROL", CAROL, "join");
    const a = base.fork();
    const b = base.fork();
    b.member("KICK_CAROL", CAROL, "leave", BOB);
    // Demotes Carol, not Bob: Bob can still kick.
    a.powerLevels("PL_DEMOTE_CAROL", ALICE, { [ALICE]: 100, [BOB]: 50 });
    const state = named(room, await room.resolve([a, b]));
    expect(state["m.room.power_levels|"]).toBe("PL_DEMOTE_CAROL");
    expect(state[`m.room.member|${CAROL}`]).toBe("KICK_CAROL");
  });

  it("join rules flipped to invite racing a join: the flip is applied first and the join fails", async () => {
    const room = new Room(version);
    const base = room.start();
    const a = base.fork();
    const b = base.fork();
    a.joinRules("JR_INVITE", ALICE, "invite", { ts: 900 });
    b.member("JOIN_EVE", EVE, "join", EVE, { ts: 1 });
    const state = named(room, await room.resolve([a, b]));
    expect(state["m.room.join_rules|"]).toBe("JR_INVITE");
    expect(state[`m.room.member|${EVE}`]).toBeUndefined();
  });

  it("power levels raised on one branch let that branch's topic through", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100 }, "public");
    base.member("JOIN_BOB", BOB, "join");
    const a = base.fork();
    const b = base.fork();
    a.powerLevels("PL_PROMOTE_BOB", ALICE, { [ALICE]: 100, [BOB]: 50 });
    a.topic("T_BOB", BOB, "bob's topic");
    b.topic("T_ALICE", ALICE, "alice's topic");
    const state = named(room, await room.resolve([a, b]));
    // T_BOB cites the newer power levels (mainline position 0), T_ALICE the older one
    // (position 1): T_ALICE sorts first, T_BOB is applied last and wins.
    expect(state["m.room.power_levels|"]).toBe("PL_PROMOTE_BOB");
    expect(state["m.room.topic|"]).toBe("T_BOB");
  });

  it("a topic by a user demoted on the other branch is rejected", async () => {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    base.topic("T0", ALICE, "t0");
    const a = base.fork();
    const b = base.fork();
    a.powerLevels("PL_DEMOTE_BOB", ALICE, { [ALICE]: 100 });
    b.topic("T_BOB", BOB, "bob's topic", { ts: 5000 });
    const state = named(room, await room.resolve([a, b]));
    expect(state["m.room.topic|"]).toBe("T0");
  });
});
