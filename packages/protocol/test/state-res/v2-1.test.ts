/**
 * What room version 12's state resolution (v2.1, MSC4297) changes, each case resolved with
 * v2 (room version 11) and v2.1 (room version 12) side by side.
 */
import { describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, Room } from "./helpers/room";

/** Bob (50) changes the join rules while Alice bans him; a set that learnt of the ban keeps Bob's change. */
function bannedModeratorsJoinRules(version: string) {
  const room = new Room(version);
  const base = room.start({ [ALICE]: 100, [BOB]: 50 });
  base.member("JOIN_BOB", BOB, "join");
  const a = base.fork();
  const b = base.fork();
  a.joinRules("JR_BOB", BOB, "invite");
  const ban = b.member("BAN_BOB", BOB, "ban", ALICE);
  a.adopt(ban);
  return { room, sets: [a, b] };
}

describe("iterative auth checks start from an empty state map in v2.1", () => {
  it("v2: the agreed ban is in the starting state, so the banned moderator's join rules fail", async () => {
    const { room, sets } = bannedModeratorsJoinRules("11");
    const { state, checks } = await room.resolveTraced(sets);
    expect(state["m.room.join_rules|"]).toBe("JR0");
    expect(checks.get("JR_BOB")).toMatch(/^sender\.not_joined/);
  });

  it("v2.1: the ban is not in the starting state; Bob's membership comes from his event's own auth events", async () => {
    const { room, sets } = bannedModeratorsJoinRules("12");
    const { state, checks } = await room.resolveTraced(sets);
    expect(checks.get("JR_BOB")).toBeUndefined();
    expect(checks.has("JR_BOB")).toBe(true);
    expect(state["m.room.join_rules|"]).toBe("JR_BOB");
    expect(state[`m.room.member|${BOB}`]).toBe("BAN_BOB");
  });
});

/**
 * Carol joins (public room) and later sets the topic on one branch; the other branch switches
 * to invite-only. Carol's join is unconflicted but sits in the auth difference.
 */
function unconflictedJoinInAuthDifference(version: string) {
  const room = new Room(version);
  const base = room.start({ [ALICE]: 100 }, "public", { events: { "m.room.topic": 0 } });
  base.topic("T0", ALICE, "t0");
  base.member("JOIN_CAROL", CAROL, "join");
  const a = base.fork();
  const b = base.fork();
  a.topic("T_CAROL", CAROL, "carol's topic");
  b.joinRules("JR_INVITE", ALICE, "invite");
  return { room, sets: [a, b] };
}

describe("the unconflicted state map in v2.1", () => {
  it("v2: the unconflicted join is re-authed against a state that already holds it, and passes", async () => {
    const { room, sets } = unconflictedJoinInAuthDifference("11");
    const { state, checks } = await room.resolveTraced(sets);
    expect(checks.has("JOIN_CAROL")).toBe(true);
    expect(checks.get("JOIN_CAROL")).toBeUndefined();
    expect(state[`m.room.member|${CAROL}`]).toBe("JOIN_CAROL");
    expect(state["m.room.topic|"]).toBe("T_CAROL");
  });

  it("v2.1: the unconflicted join fails re-auth (invite-only, no membership yet) but step 5 restores it", async () => {
    const { room, sets } = unconflictedJoinInAuthDifference("12");
    const { state, checks } = await room.resolveTraced(sets);
    expect(checks.get("JOIN_CAROL")).toMatch(/^member\.join/);
    expect(state[`m.room.member|${CAROL}`]).toBe("JOIN_CAROL");
    expect(state["m.room.join_rules|"]).toBe("JR_INVITE");
    // Carol's topic still passes: her own auth events (her join, not rejected) supply her membership.
    expect(state["m.room.topic|"]).toBe("T_CAROL");
  });

  it("v2.1: if Carol's join was rejected it is not taken from her topic's auth events, and her topic fails", async () => {
    const { room, sets } = unconflictedJoinInAuthDifference("12");
    const rejected = room.idFor("JOIN_CAROL");
    const { state, checks } = await room.resolveTraced(sets, { isRejected: (id) => id === rejected });
    expect(checks.get("T_CAROL")).toMatch(/^sender\.not_joined/);
    expect(state["m.room.topic|"]).toBe("T0");
  });
});

/**
 * Bob's topic cites his join, which cites the original join rules; the join rules are
 * conflicted, Bob's join is agreed and cited by an agreed event, so it is in every auth chain.
 */
function joinBetweenConflictedEvents(version: string) {
  const room = new Room(version);
  const base = room.start({ [ALICE]: 100 }, "public", { events: { "m.room.topic": 0, "m.room.avatar": 0 } });
  base.member("JOIN_BOB", BOB, "join");
  base.send({ id: "AVATAR_BOB", type: "m.room.avatar", sender: BOB, stateKey: "", content: { url: "mxc://b/1" } });
  const a = base.fork();
  const b = base.fork();
  a.topic("T_BOB", BOB, "bob's topic");
  b.joinRules("JR_INVITE", ALICE, "invite");
  return { room, sets: [a, b] };
}

describe("conflicted state subgraph (v2.1)", () => {
  it("v2: Bob's join is in every auth chain, so it is not in the full conflicted set and is not re-checked", async () => {
    const { room, sets } = joinBetweenConflictedEvents("11");
    const { checks } = await room.resolveTraced(sets);
    expect(checks.has("T_BOB")).toBe(true);
    expect(checks.has("JOIN_BOB")).toBe(false);
  });

  it("v2.1: Bob's join lies on the path T_BOB → JOIN_BOB → JR0 between conflicted events, so it is re-checked", async () => {
    const { room, sets } = joinBetweenConflictedEvents("12");
    const { state, checks } = await room.resolveTraced(sets);
    expect(checks.has("JOIN_BOB")).toBe(true);
    expect(checks.has("AVATAR_BOB")).toBe(false);
    expect(state[`m.room.member|${BOB}`]).toBe("JOIN_BOB");
  });
});

describe("room creators in v2.1 power ordering", () => {
  // Bob is at 100, the most a power levels event can give; v12 creators are above that.
  async function racingJoinRules(version: string) {
    const room = new Room(version);
    const base = room.start({ [ALICE]: 100, [BOB]: 100 });
    base.member("JOIN_BOB", BOB, "join");
    const a = base.fork();
    const b = base.fork();
    a.joinRules("JR_ALICE", ALICE, "invite", { ts: 900 });
    b.joinRules("JR_BOB", BOB, "knock", { ts: 800 });
    return room.resolveTraced([a, b]);
  }

  it("v11: equal power (100 each), so the earlier timestamp goes first and Alice's later change wins", async () => {
    expect((await racingJoinRules("11")).state["m.room.join_rules|"]).toBe("JR_ALICE");
  });

  it("v12: the creator's infinite power sorts Alice first, so Bob's change is applied last and wins", async () => {
    expect((await racingJoinRules("12")).state["m.room.join_rules|"]).toBe("JR_BOB");
  });

  it("v12: state sets without the create event still resolve: the room ID names it", async () => {
    const room = new Room("12");
    const base = room.start({ [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    const a = base.fork();
    const b = base.fork();
    a.topic("T_A", ALICE, "a");
    b.topic("T_B", BOB, "b");
    const withoutCreate = (ids: string[]) => ids.filter((id) => id !== room.createId);
    const { state } = await room.resolveTraced([withoutCreate(a.stateIds()), withoutCreate(b.stateIds())]);
    expect(state["m.room.create|"]).toBeUndefined();
    expect(state["m.room.topic|"]).toBe("T_B");
  });
});
