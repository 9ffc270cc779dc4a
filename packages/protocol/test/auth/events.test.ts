import { describe, it } from "vitest";
import { ALICE, ALL_VERSIONS, BOB, CAROL, expectAllowed, expectNotAllowed, roomFactory, versionsWhere } from "../helpers/auth-room";

const ALIASES = versionsWhere((r) => r.authorization.specialCaseAliases);
const NO_ALIASES = versionsWhere((r) => !r.authorization.specialCaseAliases);
const REDACTION_RULE = versionsWhere((r) => r.authorization.redactionInAuthRules);
const NO_REDACTION_RULE = versionsWhere((r) => !r.authorization.redactionInAuthRules);
const STRICT = versionsWhere((r) => r.authorization.strictCanonicalJson);
const LENIENT = versionsWhere((r) => !r.authorization.strictCanonicalJson);

describe("m.room.aliases (v1–5)", () => {
  const aliases = (room: ReturnType<typeof roomFactory>, sender: string, stateKey?: string) =>
    room.event({ type: "m.room.aliases", sender, ...(stateKey === undefined ? {} : { state_key: stateKey }), content: { aliases: ["#x:b.example"] } });

  it.each(ALIASES)("v%s: a server may set its own aliases without being in the room", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(aliases(room, BOB, "b.example")));
  });

  it.each(ALIASES)("v%s: aliases.no_state_key", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(aliases(room, BOB)), "aliases.no_state_key");
  });

  it.each(ALIASES)("v%s: aliases.sender_domain_mismatch", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(aliases(room, BOB, "a.example")), "aliases.sender_domain_mismatch");
  });

  it.each(NO_ALIASES)("v%s: aliases are an ordinary state event", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(aliases(room, BOB, "b.example")), "sender.not_joined");
    expectAllowed(room.check(aliases(room, ALICE, "b.example")));
  });
});

describe("the sender must be joined", () => {
  it.each(ALL_VERSIONS)("v%s: sender.not_joined", (version) => {
    const room = roomFactory({ version });
    const msg = (sender: string) => room.event({ type: "m.room.message", sender, content: { body: "x" } });
    expectNotAllowed(room.check(msg(BOB)), "sender.not_joined");
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectNotAllowed(room.check(msg(BOB)), "sender.not_joined");
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(msg(BOB)));
  });
});

describe("m.room.third_party_invite", () => {
  const tpi = (room: ReturnType<typeof roomFactory>, sender: string) =>
    room.event({ type: "m.room.third_party_invite", state_key: "tok", sender, content: { public_key: "AAAA" } });

  it.each(ALL_VERSIONS)("v%s: a member at the invite level may send it", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(tpi(room, BOB)));
  });

  it.each(ALL_VERSIONS)("v%s: third_party_invite.insufficient_power", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    room.setPowerLevels({ invite: 10, state_default: 0 });
    expectNotAllowed(room.check(tpi(room, BOB)), "third_party_invite.insufficient_power");
  });
});

describe("required power level", () => {
  it.each(ALL_VERSIONS)("v%s: event.insufficient_power (state_default)", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    const topic = room.event({ type: "m.room.topic", state_key: "", sender: BOB, content: { topic: "t" } });
    expectNotAllowed(room.check(topic), "event.insufficient_power");
    room.setPowerLevels({ users: { [BOB]: 50 } });
    expectAllowed(room.check(topic));
  });

  it.each(ALL_VERSIONS)("v%s: event.insufficient_power (events and events_default)", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    room.setPowerLevels({ events_default: 10, events: { "m.reaction": 0 } });
    const ev = (type: string) => room.event({ type, sender: BOB, content: {} });
    expectNotAllowed(room.check(ev("m.room.message")), "event.insufficient_power");
    expectAllowed(room.check(ev("m.reaction")));
  });

  it.each(ALL_VERSIONS)("v%s: without a power levels event, state needs 50 and the creator has it", (version) => {
    const room = roomFactory({ version });
    room.state.delete("m.room.power_levels|");
    room.set(room.member(BOB, "join"));
    const topic = (sender: string) => room.event({ type: "m.room.topic", state_key: "", sender, content: {} });
    expectAllowed(room.check(topic(ALICE)));
    expectNotAllowed(room.check(topic(BOB)), "event.insufficient_power");
    expectAllowed(room.check(room.event({ type: "m.room.message", sender: BOB, content: {} })));
  });
});

describe("state keys naming users", () => {
  it.each(ALL_VERSIONS)("v%s: state_key.user_mismatch", (version) => {
    const room = roomFactory({ version });
    room.setPowerLevels({ state_default: 0 });
    room.set(room.member(BOB, "join"));
    const ev = (stateKey: string) => room.event({ type: "org.example.state", state_key: stateKey, sender: BOB, content: {} });
    expectNotAllowed(room.check(ev(ALICE)), "state_key.user_mismatch");
    expectAllowed(room.check(ev(BOB)));
    expectAllowed(room.check(ev("plain")));
  });
});

describe("m.room.redaction", () => {
  const redaction = (room: ReturnType<typeof roomFactory>, sender: string, redacts: string) =>
    room.event({ type: "m.room.redaction", sender, redacts, content: {} });

  it.each(REDACTION_RULE)("v%s: a user at the redact level may redact anything", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(redaction(room, ALICE, "$x:c.example")));
  });

  it.each(REDACTION_RULE)("v%s: an event from the redaction's own server may be redacted", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(redaction(room, BOB, "$x:b.example")));
  });

  it.each(REDACTION_RULE)("v%s: redaction.domain_mismatch", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectNotAllowed(room.check(redaction(room, BOB, "$x:c.example")), "redaction.domain_mismatch");
  });

  it.each(NO_REDACTION_RULE)("v%s: redactions follow the ordinary rules", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(redaction(room, BOB, "$somebodyElse")));
    room.setPowerLevels({ events: { "m.room.redaction": 50 } });
    expectNotAllowed(room.check(redaction(room, BOB, "$somebodyElse")), "event.insufficient_power");
  });
});

describe("canonical JSON (v6+)", () => {
  const msg = (room: ReturnType<typeof roomFactory>, content: object) => room.event({ type: "m.room.message", sender: ALICE, content });

  it.each(STRICT)("v%s: event.not_canonical_json", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(msg(room, { n: 1.5 })), "event.not_canonical_json");
    expectNotAllowed(room.check(msg(room, { n: 2 ** 53 })), "event.not_canonical_json");
    expectAllowed(room.check(msg(room, { n: 2 ** 53 - 1 })));
  });

  it.each(LENIENT)("v%s: floats are tolerated before v6", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(msg(room, { n: 1.5 })));
  });

  it.each(STRICT)("v%s: a create event must be canonical JSON too", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check({ ...room.create, content: { ...(room.create.content as object), x: 0.5 } }), "event.not_canonical_json");
  });

  it.each(ALL_VERSIONS)("v%s: an unknown user is not joined even with odd fields", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.event({ type: "m.room.message", sender: CAROL, content: "not an object" })), "sender.not_joined");
  });
});
