/**
 * Room version 1's algorithm (content/rooms/v1.md) against v2 on the same events: room
 * versions 1 and 2 share an event format, so one room can be resolved with either.
 */
import { describe, expect, it } from "vitest";
import { ALICE, BOB, EVE, Room } from "./helpers/room";

describe("v1: a conflict is only different events for the same key", () => {
  it("a key one set lacks is kept unchecked in v1 but re-authed (and dropped) in v2", async () => {
    const room = new Room("1");
    const base = room.start();
    const a = base.fork();
    const b = base.fork();
    // Eve never joined: the auth rules would refuse her topic.
    a.topic("T_EVE", EVE, "not a member");
    expect((await room.resolveTraced([a, b], { version: "1" })).state["m.room.topic|"]).toBe("T_EVE");
    expect((await room.resolveTraced([a, b], { version: "2" })).state["m.room.topic|"]).toBeUndefined();
  });
});

describe("v1: power levels conflicts", () => {
  it("the shallowest power levels event is taken unchecked, and a deeper one that fails against it stops the list", async () => {
    const room = new Room("1");
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    const a = base.fork();
    const b = base.fork();
    // Bob may not raise himself to 100 (above his own level): the auth rules reject this.
    b.powerLevels("PL_BOB_SELF_PROMOTE", BOB, { [ALICE]: 100, [BOB]: 100 });
    a.topic("T_A", ALICE, "makes the next event deeper");
    a.powerLevels("PL_ALICE", ALICE, { [ALICE]: 100, [BOB]: 50, [EVE]: 10 });
    // v1: PL_BOB_SELF_PROMOTE (depth 6) < PL_ALICE (depth 7); the first goes in unchecked, then
    // PL_ALICE would lower Bob from 100 to 50 with Alice only at 100 — refused, so the list stops.
    const v1 = await room.resolveTraced([a, b], { version: "1" });
    expect(v1.state["m.room.power_levels|"]).toBe("PL_BOB_SELF_PROMOTE");
    expect(v1.checks.get("PL_ALICE")).toMatch(/^power_levels\./);
    expect(v1.checks.has("PL_BOB_SELF_PROMOTE")).toBe(false);
    // v2 checks both: Bob's self-promotion fails, Alice's change stands.
    expect((await room.resolveTraced([a, b], { version: "2" })).state["m.room.power_levels|"]).toBe("PL_ALICE");
  });

  it("among equally deep power levels events the one with the greater sha1(event_id) comes first", async () => {
    const room = new Room("1");
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    const a = base.fork();
    const b = base.fork();
    a.powerLevels("PL_X", ALICE, { [ALICE]: 100, [BOB]: 40 });
    b.powerLevels("PL_Y", ALICE, { [ALICE]: 100, [BOB]: 60 });
    // Both allowed, so the later of the two in v1's order wins: the one with the smaller sha1.
    const { createHash } = await import("node:crypto");
    const sha = (n: string) => createHash("sha1").update(room.idFor(n)).digest("hex");
    const expected = sha("PL_X") < sha("PL_Y") ? "PL_X" : "PL_Y";
    expect((await room.resolveTraced([a, b], { version: "1" })).state["m.room.power_levels|"]).toBe(expected);
  });
});

describe("v1: other conflicts", () => {
  it("the deepest allowed event wins, whatever its timestamp (v2 orders by mainline, then time)", async () => {
    const room = new Room("1");
    const base = room.start();
    const a = base.fork();
    const b = base.fork();
    a.topic("T_SHALLOW_LATE", ALICE, "late", { ts: 9000 });
    b.topic("T_FILLER", ALICE, "filler", { ts: 100 });
    b.topic("T_DEEP_EARLY", ALICE, "early", { ts: 200 });
    expect((await room.resolveTraced([a, b], { version: "1" })).state["m.room.topic|"]).toBe("T_DEEP_EARLY");
    expect((await room.resolveTraced([a, b], { version: "2" })).state["m.room.topic|"]).toBe("T_SHALLOW_LATE");
  });

  it("a deeper event that fails auth in R is passed over for a shallower one", async () => {
    const room = new Room("1");
    const base = room.start();
    const a = base.fork();
    const b = base.fork();
    a.topic("T_ALICE", ALICE, "ok");
    b.topic("T_FILLER", ALICE, "filler");
    b.topic("T_EVE", EVE, "eve is not a member");
    expect((await room.resolveTraced([a, b], { version: "1" })).state["m.room.topic|"]).toBe("T_ALICE");
  });

  it("member conflicts: a ban racing a join, shallowest first: the ban then the join (refused)", async () => {
    const room = new Room("1");
    const base = room.start({ [ALICE]: 100, [BOB]: 50 });
    base.member("JOIN_BOB", BOB, "join");
    const a = base.fork();
    const b = base.fork();
    a.member("BAN_EVE", EVE, "ban", BOB);
    b.topic("T_FILLER", ALICE, "filler");
    b.member("JOIN_EVE", EVE, "join");
    const { state, checks } = await room.resolveTraced([a, b], { version: "1" });
    expect(state[`m.room.member|${EVE}`]).toBe("BAN_EVE");
    expect(checks.get("JOIN_EVE")).toMatch(/^member\.join/);
  });
});
