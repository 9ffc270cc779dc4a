import { describe, expect, it } from "vitest";
import { parsePowerLevel, requiredPowerLevelForEvent, userPowerLevel } from "../../src/auth";
import { ALICE, ALL_VERSIONS, BOB, CAROL, expectAllowed, expectNotAllowed, roomFactory, rulesOf, versionsWhere, type Json } from "../helpers/auth-room";

const STRINGY = versionsWhere((r) => !r.authorization.integerPowerLevels);
const INTEGER_ONLY = versionsWhere((r) => r.authorization.integerPowerLevels);
const NOTIFICATIONS = versionsWhere((r) => r.authorization.notificationsPowerLevels);
const NO_NOTIFICATIONS = versionsWhere((r) => !r.authorization.notificationsPowerLevels);
const NOT_PRIVILEGED = versionsWhere((r) => !r.authorization.privilegedCreators);

const pl = (content: Json, sender = ALICE) => ({ type: "m.room.power_levels", state_key: "", sender, content });

describe("parsePowerLevel", () => {
  it("v1–5: numeric strings (whitespace, sign, leading zeros) and truncated floats", () => {
    const r = rulesOf("1").authorization;
    expect(["100", " 00100 ", "+100", "-100", 50.57, 51146.98].map((v) => parsePowerLevel(v, r))).toEqual([100, 100, 100, -100, 50, 51146]);
    expect(["1.5", "abc", "", null, true, {}].map((v) => parsePowerLevel(v, r))).toEqual(Array(6).fill(undefined));
  });
  it("v6–9: strings still, floats no longer", () => {
    const r = rulesOf("9").authorization;
    expect(parsePowerLevel("50", r)).toBe(50);
    expect(parsePowerLevel(50.5, r)).toBeUndefined();
  });
  it("v10+: integers only", () => {
    const r = rulesOf("10").authorization;
    expect(parsePowerLevel(50, r)).toBe(50);
    expect(parsePowerLevel("50", r)).toBeUndefined();
    expect(parsePowerLevel(2 ** 53, r)).toBeUndefined();
  });
});

describe("userPowerLevel", () => {
  it.each(NOT_PRIVILEGED)("v%s: the creator has 100 and others 0 without a power levels event", (version) => {
    const room = roomFactory({ version });
    const r = room.rules.authorization;
    expect(userPowerLevel(ALICE, undefined, room.create, r)).toBe(100);
    expect(userPowerLevel(BOB, undefined, room.create, r)).toBe(0);
  });

  it.each(ALL_VERSIONS)("v%s: users[id], else users_default", (version) => {
    const room = roomFactory({ version });
    const r = room.rules.authorization;
    const ev = pl({ users: { [BOB]: 42 }, users_default: 7 });
    expect(userPowerLevel(BOB, ev, room.create, r)).toBe(42);
    expect(userPowerLevel(CAROL, ev, room.create, r)).toBe(7);
    expect(userPowerLevel(CAROL, pl({}), room.create, r)).toBe(0);
  });

  it("v11: the creator is the create sender; v10: content.creator", () => {
    const v10 = roomFactory({ version: "10" });
    expect(userPowerLevel(BOB, undefined, { ...v10.create, content: { creator: BOB } }, v10.rules.authorization)).toBe(100);
    const v11 = roomFactory({ version: "11" });
    expect(userPowerLevel(BOB, undefined, { ...v11.create, content: { creator: BOB } }, v11.rules.authorization)).toBe(0);
  });

  it("v12: creators and additional_creators have infinite power, with or without power levels", () => {
    const room = roomFactory({ version: "12" });
    const create = { ...room.create, content: { room_version: "12", additional_creators: [BOB] } };
    const r = room.rules.authorization;
    for (const ev of [undefined, pl({ users_default: 10 })]) {
      expect(userPowerLevel(ALICE, ev, create, r)).toBe(Infinity);
      expect(userPowerLevel(BOB, ev, create, r)).toBe(Infinity);
    }
    expect(userPowerLevel(CAROL, undefined, create, r)).toBe(0);
  });

  it("requiredPowerLevelForEvent: events, state_default, events_default, defaults", () => {
    const r = rulesOf("11").authorization;
    const ev = pl({ events: { "m.room.name": 30 }, state_default: 40, events_default: 5 });
    expect(requiredPowerLevelForEvent("m.room.name", "", ev, r)).toBe(30);
    expect(requiredPowerLevelForEvent("m.room.topic", "", ev, r)).toBe(40);
    expect(requiredPowerLevelForEvent("m.room.message", undefined, ev, r)).toBe(5);
    expect(requiredPowerLevelForEvent("m.room.topic", "", undefined, r)).toBe(50);
    expect(requiredPowerLevelForEvent("m.room.message", undefined, undefined, r)).toBe(0);
  });
});

describe("m.room.power_levels: well-formed content", () => {
  it.each(STRINGY)("v%s: string values are accepted", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(room.event(pl({ ban: "50", events: { "m.room.name": "100" }, users: { [ALICE]: "100", [BOB]: " 10 " } }))));
  });

  it.each(INTEGER_ONLY)("v%s: power_levels.invalid_value (strings are not integers)", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.event(pl({ ban: "50" }))), "power_levels.invalid_value");
    expectNotAllowed(room.check(room.event(pl({ events: { "m.room.name": "100" } }))), "power_levels.invalid_value");
    expectNotAllowed(room.check(room.event(pl({ notifications: { room: "50" } }))), "power_levels.invalid_value");
    expectNotAllowed(room.check(room.event(pl({ events: [] }))), "power_levels.invalid_value");
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.invalid_value (not a number at all)", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.event(pl({ kick: "lots" }))), "power_levels.invalid_value");
    expectNotAllowed(room.check(room.event(pl({ users_default: null }))), "power_levels.invalid_value");
  });

  it("v1: floats are truncated; v6: floats are not canonical JSON", () => {
    const v1 = roomFactory({ version: "1" });
    expectAllowed(v1.check(v1.event(pl({ users: { [ALICE]: 100, [BOB]: 50.57 } }))));
    const v6 = roomFactory({ version: "6" });
    expectNotAllowed(v6.check(v6.event(pl({ users: { [ALICE]: 100, [BOB]: 50.57 } }))), "event.not_canonical_json");
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.invalid_users", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.event(pl({ users: { "not-a-user": 10 } }))), "power_levels.invalid_users");
    expectNotAllowed(room.check(room.event(pl({ users: { [BOB]: "ten" } }))), "power_levels.invalid_users");
    expectNotAllowed(room.check(room.event(pl({ users: [] }))), "power_levels.invalid_users");
  });

  it("v12: power_levels.creator_in_users", () => {
    const room = roomFactory({ version: "12" });
    room.set({ ...room.create, content: { room_version: "12", additional_creators: [BOB] } });
    expectNotAllowed(room.check(room.event(pl({ users: { [ALICE]: 100 } }))), "power_levels.creator_in_users");
    expectNotAllowed(room.check(room.event(pl({ users: { [BOB]: 100 } }))), "power_levels.creator_in_users");
    expectAllowed(room.check(room.event(pl({ users: { [CAROL]: 100 } }))));
  });

  it.each(["10", "11"])("v%s: the creator may be listed in users", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(room.event(pl({ users: { [ALICE]: 100 } }))));
  });

  it.each(ALL_VERSIONS)("v%s: the first power levels event is allowed whatever it says", (version) => {
    const room = roomFactory({ version });
    room.state.delete("m.room.power_levels|");
    const users = room.rules.authorization.privilegedCreators ? { [BOB]: 9000 } : { [ALICE]: 100, [BOB]: 9000 };
    expectAllowed(room.check(room.event(pl({ users, ban: 9000 }))));
  });
});

describe("m.room.power_levels: changes", () => {
  // Carol (joined, 50) edits the power levels; the state requires 50 to send them.
  function setup(version: string, extra: Json = {}) {
    const room = roomFactory({ version });
    room.set(room.member(CAROL, "join"));
    const users = { [CAROL]: 50, ...((extra.users as Json | undefined) ?? {}) };
    const current = room.setPowerLevels({ events: { "m.room.power_levels": 50 }, ...extra, users });
    const edit = (content: Json) => room.event(pl({ ...(current.content as Json), ...content }, CAROL));
    return { room, current: current.content as Json, edit };
  }

  it.each(ALL_VERSIONS)("v%s: changes within the sender's level are allowed", (version) => {
    const { room, current, edit } = setup(version, { users: { [BOB]: 10 } });
    expectAllowed(room.check(edit({ kick: 40, events: { ...(current.events as Json), "m.room.name": 50 }, users: { ...(current.users as Json), [BOB]: 50 } })));
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.level_from_above_own", (version) => {
    const { room, current, edit } = setup(version, { ban: 80 });
    expectNotAllowed(room.check(edit({ ban: 10 })), "power_levels.level_from_above_own");
    const { ban: _, ...withoutBan } = current;
    expectNotAllowed(room.check(room.event(pl(withoutBan, CAROL))), "power_levels.level_from_above_own");
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.level_to_above_own", (version) => {
    const { room, edit } = setup(version);
    expectNotAllowed(room.check(edit({ invite: 51 })), "power_levels.level_to_above_own");
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.events_from_above_own", (version) => {
    const { room, current, edit } = setup(version, { events: { "m.room.power_levels": 50, "m.room.tombstone": 100 } });
    expectNotAllowed(room.check(edit({ events: { ...(current.events as Json), "m.room.tombstone": 0 } })), "power_levels.events_from_above_own");
    expectNotAllowed(room.check(edit({ events: { "m.room.power_levels": 50 } })), "power_levels.events_from_above_own");
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.events_to_above_own", (version) => {
    const { room, current, edit } = setup(version);
    expectNotAllowed(room.check(edit({ events: { ...(current.events as Json), "m.room.name": 51 } })), "power_levels.events_to_above_own");
  });

  it.each(NOTIFICATIONS)("v%s: notifications are checked like events (v6+)", (version) => {
    const { room, edit } = setup(version, { notifications: { room: 100 } });
    expectNotAllowed(room.check(edit({ notifications: { room: 0 } })), "power_levels.events_from_above_own");
    const fresh = setup(version);
    expectNotAllowed(fresh.room.check(fresh.edit({ notifications: { room: 60 } })), "power_levels.events_to_above_own");
  });

  it.each(NO_NOTIFICATIONS)("v%s: notifications are not checked before v6", (version) => {
    const { room, edit } = setup(version, { notifications: { room: 100 } });
    expectAllowed(room.check(edit({ notifications: { room: 0 } })));
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.user_not_below_own", (version) => {
    const { room, current, edit } = setup(version, { users: { [BOB]: 50 } });
    expectNotAllowed(room.check(edit({ users: { ...(current.users as Json), [BOB]: 0 } })), "power_levels.user_not_below_own");
    expectNotAllowed(room.check(edit({ users: { [CAROL]: 50 } })), "power_levels.user_not_below_own");
  });

  it.each(ALL_VERSIONS)("v%s: the sender may lower their own level", (version) => {
    const { room, current, edit } = setup(version);
    expectAllowed(room.check(edit({ users: { ...(current.users as Json), [CAROL]: 10 }, events: { "m.room.power_levels": 10 } })));
  });

  it.each(ALL_VERSIONS)("v%s: power_levels.user_above_own", (version) => {
    const { room, current, edit } = setup(version);
    expectNotAllowed(room.check(edit({ users: { ...(current.users as Json), [BOB]: 51 } })), "power_levels.user_above_own");
    expectNotAllowed(room.check(edit({ users: { ...(current.users as Json), [CAROL]: 51 } })), "power_levels.user_above_own");
  });

  it.each(STRINGY)("v%s: a string and a number of the same value are no change", (version) => {
    const { room, edit } = setup(version, { ban: 80 });
    expectAllowed(room.check(edit({ ban: "80" })));
  });

  it("v12: a creator has infinite power and may set any level", () => {
    const room = roomFactory({ version: "12" });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(room.event(pl({ users: { [BOB]: 2 ** 53 - 1 }, ban: 2 ** 53 - 1 }))));
  });

  it("v12: an additional creator outranks any listed user", () => {
    const room = roomFactory({ version: "12" });
    room.set({ ...room.create, content: { room_version: "12", additional_creators: [BOB] } });
    room.set(room.member(BOB, "join"));
    room.set(room.member(CAROL, "join"));
    room.setPowerLevels({ users: { [CAROL]: 2 ** 53 - 1 } });
    expectAllowed(room.check(room.event(pl({ users: { [CAROL]: 0 } }, BOB))));
    expectAllowed(room.check(room.member(CAROL, "ban", { sender: BOB })));
    expectNotAllowed(room.check(room.member(BOB, "ban", { sender: CAROL })), "member.ban.insufficient_power");
    expectNotAllowed(room.check(room.member(ALICE, "leave", { sender: BOB })), "member.leave.insufficient_power");
  });

  it("v11: creator removal — the create sender has no special power once power levels exist", () => {
    const room = roomFactory({ version: "11" });
    room.set(room.member(BOB, "join"));
    room.setPowerLevels({ users: { [ALICE]: 0, [BOB]: 100 } });
    expectAllowed(room.check(room.member(ALICE, "ban", { sender: BOB })));
    expectNotAllowed(room.check(room.member(BOB, "ban", { sender: ALICE })), "member.ban.insufficient_power");
  });
});
