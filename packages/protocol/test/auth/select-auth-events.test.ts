import { describe, expect, it } from "vitest";
import { authEventStateKeys } from "../../src/auth";
import { ALICE, BOB, CAROL, rulesOf } from "../helpers/auth-room";

const member = (sender: string, target: string, content: object) => ({ type: "m.room.member", sender, state_key: target, content });

describe("authEventStateKeys (auth events selection)", () => {
  it("the create event has no auth events", () => {
    expect(authEventStateKeys({ type: "m.room.create", state_key: "", sender: ALICE, content: {} }, rulesOf("1"))).toEqual([]);
  });

  it("v1–11: create, power levels and the sender's membership for any event", () => {
    expect(authEventStateKeys({ type: "m.room.message", sender: ALICE, content: {} }, rulesOf("11"))).toEqual([
      ["m.room.create", ""],
      ["m.room.power_levels", ""],
      ["m.room.member", ALICE],
    ]);
  });

  it("v12: never the create event", () => {
    expect(authEventStateKeys({ type: "m.room.message", sender: ALICE, content: {} }, rulesOf("12"))).toEqual([
      ["m.room.power_levels", ""],
      ["m.room.member", ALICE],
    ]);
  });

  it.each(["join", "invite", "knock"])("%s: target membership and join rules", (membership) => {
    expect(authEventStateKeys(member(ALICE, BOB, { membership }), rulesOf("12"))).toEqual([
      ["m.room.power_levels", ""],
      ["m.room.member", ALICE],
      ["m.room.member", BOB],
      ["m.room.join_rules", ""],
    ]);
  });

  it.each(["leave", "ban"])("%s: no join rules", (membership) => {
    expect(authEventStateKeys(member(ALICE, BOB, { membership }), rulesOf("12"))).not.toContainEqual(["m.room.join_rules", ""]);
  });

  it("a self-join lists the sender's membership once", () => {
    const keys = authEventStateKeys(member(BOB, BOB, { membership: "join" }), rulesOf("12"));
    expect(keys.filter(([t]) => t === "m.room.member")).toEqual([["m.room.member", BOB]]);
  });

  it("a third-party invite adds the invite named by signed.token", () => {
    const ev = member(ALICE, BOB, { membership: "invite", third_party_invite: { signed: { mxid: BOB, token: "tok" } } });
    expect(authEventStateKeys(ev, rulesOf("1"))).toContainEqual(["m.room.third_party_invite", "tok"]);
    const noToken = member(ALICE, BOB, { membership: "invite", third_party_invite: { signed: {} } });
    expect(authEventStateKeys(noToken, rulesOf("1")).map(([t]) => t)).not.toContain("m.room.third_party_invite");
  });

  it("v8+: a restricted join adds the authorising user's membership", () => {
    const ev = member(BOB, BOB, { membership: "join", join_authorised_via_users_server: CAROL });
    expect(authEventStateKeys(ev, rulesOf("8"))).toContainEqual(["m.room.member", CAROL]);
    expect(authEventStateKeys(ev, rulesOf("7"))).not.toContainEqual(["m.room.member", CAROL]);
    const leave = member(BOB, BOB, { membership: "leave", join_authorised_via_users_server: CAROL });
    expect(authEventStateKeys(leave, rulesOf("8"))).not.toContainEqual(["m.room.member", CAROL]);
  });

  it("tolerates malformed events", () => {
    expect(authEventStateKeys({}, rulesOf("10"))).toEqual([["m.room.create", ""], ["m.room.power_levels", ""]]);
    expect(authEventStateKeys({ type: "m.room.member", content: "x" }, rulesOf("10"))).toEqual([["m.room.create", ""], ["m.room.power_levels", ""]]);
  });
});
