import { describe, it } from "vitest";
import { ALICE, ALL_VERSIONS, BOB, CAROL, expectAllowed, expectNotAllowed, roomFactory, versionsWhere } from "../helpers/auth-room";

const KNOCKING = versionsWhere((r) => r.authorization.knocking);
const NO_KNOCKING = versionsWhere((r) => !r.authorization.knocking);
const KNOCK_RESTRICTED = versionsWhere((r) => r.authorization.knockRestricted);

describe("membership leave", () => {
  it.each(ALL_VERSIONS)("v%s: a joined or invited user may leave", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(room.member(BOB, "leave")));
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectAllowed(room.check(room.member(BOB, "leave")));
  });

  it.each(ALL_VERSIONS)("v%s: member.leave.not_member", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.member(BOB, "leave")), "member.leave.not_member");
    room.set(room.member(BOB, "ban", { sender: ALICE }));
    expectNotAllowed(room.check(room.member(BOB, "leave")), "member.leave.not_member");
  });

  it.each(KNOCKING)("v%s: a knocking user may withdraw the knock", (version) => {
    const room = roomFactory({ version, preset: "knock" });
    room.set(room.member(BOB, "knock"));
    expectAllowed(room.check(room.member(BOB, "leave")));
  });

  it.each(NO_KNOCKING)("v%s: knock is no membership to leave from before v7", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "knock"));
    expectNotAllowed(room.check(room.member(BOB, "leave")), "member.leave.not_member");
  });

  it.each(ALL_VERSIONS)("v%s: kicking a lower user at the kick level is allowed", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(room.member(BOB, "leave", { sender: ALICE })));
  });

  it.each(ALL_VERSIONS)("v%s: member.leave.sender_not_joined", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectNotAllowed(room.check(room.member(BOB, "leave", { sender: CAROL })), "member.leave.sender_not_joined");
  });

  it.each(ALL_VERSIONS)("v%s: member.leave.unban_needs_ban_level", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "ban", { sender: ALICE }));
    room.set(room.member(CAROL, "join"));
    room.setPowerLevels({ users: { [CAROL]: 60 }, ban: 70, kick: 50 });
    expectNotAllowed(room.check(room.member(BOB, "leave", { sender: CAROL })), "member.leave.unban_needs_ban_level");
    expectAllowed(room.check(room.member(BOB, "leave", { sender: ALICE })));
  });

  it.each(ALL_VERSIONS)("v%s: member.leave.insufficient_power", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    room.set(room.member(CAROL, "join"));
    room.setPowerLevels({ users: { [CAROL]: 40 } });
    // Below the kick level (50).
    expectNotAllowed(room.check(room.member(BOB, "leave", { sender: CAROL })), "member.leave.insufficient_power");
    // At the kick level but not above the target.
    room.setPowerLevels({ users: { [CAROL]: 50, [BOB]: 50 } });
    expectNotAllowed(room.check(room.member(BOB, "leave", { sender: CAROL })), "member.leave.insufficient_power");
  });
});

describe("membership ban", () => {
  it.each(ALL_VERSIONS)("v%s: banning a lower user at the ban level is allowed", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(room.member(BOB, "ban", { sender: ALICE })));
  });

  it.each(ALL_VERSIONS)("v%s: member.ban.sender_not_joined", (version) => {
    const room = roomFactory({ version });
    room.setPowerLevels({ users: { [CAROL]: 100 } });
    expectNotAllowed(room.check(room.member(BOB, "ban", { sender: CAROL })), "member.ban.sender_not_joined");
  });

  it.each(ALL_VERSIONS)("v%s: member.ban.insufficient_power", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(CAROL, "join"));
    room.setPowerLevels({ users: { [CAROL]: 49 } });
    expectNotAllowed(room.check(room.member(BOB, "ban", { sender: CAROL })), "member.ban.insufficient_power");
    room.setPowerLevels({ users: { [CAROL]: 60, [BOB]: 60 } });
    expectNotAllowed(room.check(room.member(BOB, "ban", { sender: CAROL })), "member.ban.insufficient_power");
  });
});

describe("membership knock (v7+)", () => {
  it.each(KNOCKING)("v%s: knocking on a knock room is allowed", (version) => {
    const room = roomFactory({ version, preset: "knock" });
    expectAllowed(room.check(room.member(BOB, "knock")));
    room.set(room.member(BOB, "leave"));
    expectAllowed(room.check(room.member(BOB, "knock")));
  });

  it.each(KNOCK_RESTRICTED)("v%s: knocking on a knock_restricted room is allowed", (version) => {
    const room = roomFactory({ version, preset: "knock_restricted" });
    expectAllowed(room.check(room.member(BOB, "knock")));
  });

  it.each(KNOCKING)("v%s: member.knock.join_rule", (version) => {
    for (const preset of ["public_chat", "private_chat", "restricted"] as const) {
      const room = roomFactory({ version, preset });
      expectNotAllowed(room.check(room.member(BOB, "knock")), "member.knock.join_rule");
    }
  });

  it.each(["7", "8", "9"])("v%s: member.knock.join_rule for knock_restricted before v10", (version) => {
    const room = roomFactory({ version, preset: "knock_restricted" });
    expectNotAllowed(room.check(room.member(BOB, "knock")), "member.knock.join_rule");
  });

  it.each(KNOCKING)("v%s: member.knock.sender_not_target", (version) => {
    const room = roomFactory({ version, preset: "knock" });
    expectNotAllowed(room.check(room.member(BOB, "knock", { sender: ALICE })), "member.knock.sender_not_target");
  });

  it.each(KNOCKING)("v%s: member.knock.already_member", (version) => {
    for (const membership of ["ban", "invite", "join"]) {
      const room = roomFactory({ version, preset: "knock" });
      room.set(room.member(BOB, membership, { sender: ALICE }));
      expectNotAllowed(room.check(room.member(BOB, "knock")), "member.knock.already_member");
    }
  });

  it.each(NO_KNOCKING)("v%s: knock is an unknown membership before v7", (version) => {
    const room = roomFactory({ version, preset: "knock" });
    expectNotAllowed(room.check(room.member(BOB, "knock")), "member.unknown_membership");
  });
});
