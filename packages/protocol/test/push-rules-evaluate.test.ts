// Push rule evaluation against the spec's predefined rules and user-defined rules of each kind.
import { describe, expect, it } from "vitest";
import { defaultPushRules } from "../src/push-rules/defaults";
import { effectiveRuleset, putUserRule, setRuleEnabled } from "../src/push-rules/merge";
import { evaluatePushRules, matchPushRule, splitPropertyPath, type PushContext } from "../src/push-rules/evaluate";

const ALICE = "@alice:test.local";
const BOB = "@bob:test.local";
const ROOM = "!room:test.local";

const ctx = (over: Partial<PushContext> = {}): PushContext => ({
  userId: ALICE,
  displayName: "Alice Liddell",
  memberCount: 5,
  senderPowerLevel: 0,
  powerLevels: { notifications: { room: 50 } },
  ...over,
});

const msg = (content: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  type: "m.room.message",
  room_id: ROOM,
  sender: BOB,
  content: { msgtype: "m.text", ...content },
  ...over,
});

const rules = () => defaultPushRules(ALICE);
const ruleId = (event: object, c = ctx(), r = rules()) => matchPushRule(r, event, c)?.rule.rule_id;

describe("push rule evaluation: predefined rules", () => {
  it("a plain message in a group room notifies without highlight (.m.rule.message)", () => {
    const out = evaluatePushRules(rules(), msg({ body: "hello" }), ctx());
    expect(out).toMatchObject({ notify: true, highlight: false });
    expect(ruleId(msg({ body: "hello" }))).toBe(".m.rule.message");
  });

  it("a message in a 1:1 room notifies with sound (.m.rule.room_one_to_one via room_member_count)", () => {
    expect(ruleId(msg({ body: "hi" }), ctx({ memberCount: 2 }))).toBe(".m.rule.room_one_to_one");
    expect(evaluatePushRules(rules(), msg({ body: "hi" }), ctx({ memberCount: 2 }))?.actions).toContainEqual({ set_tweak: "sound", value: "default" });
    expect(ruleId(msg({ body: "hi" }), ctx({ memberCount: 3 }))).toBe(".m.rule.message");
  });

  it("encrypted messages notify, with sound in 1:1 rooms", () => {
    const enc = { type: "m.room.encrypted", room_id: ROOM, sender: BOB, content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "x" } };
    expect(ruleId(enc)).toBe(".m.rule.encrypted");
    expect(ruleId(enc, ctx({ memberCount: 2 }))).toBe(".m.rule.encrypted_room_one_to_one");
    expect(evaluatePushRules(rules(), enc, ctx())).toMatchObject({ notify: true, highlight: false });
  });

  it("an m.mentions user_ids mention highlights (.m.rule.is_user_mention); another user's does not", () => {
    const out = evaluatePushRules(rules(), msg({ body: "hey", "m.mentions": { user_ids: [ALICE] } }), ctx());
    expect(out).toMatchObject({ notify: true, highlight: true });
    expect(evaluatePushRules(rules(), msg({ body: "hey", "m.mentions": { user_ids: [BOB] } }), ctx())).toMatchObject({ highlight: false });
  });

  it("an @room mention highlights only when the sender has notifications.room power", () => {
    const room = msg({ body: "@room hi", "m.mentions": { room: true } });
    expect(evaluatePushRules(rules(), room, ctx({ senderPowerLevel: 50 }))).toMatchObject({ highlight: true });
    expect(ruleId(room, ctx({ senderPowerLevel: 0 }))).toBe(".m.rule.message");
    expect(evaluatePushRules(rules(), room, ctx({ senderPowerLevel: 0 }))).toMatchObject({ notify: true, highlight: false });
    // The room lowers notifications.room; no power levels at all means 50.
    expect(evaluatePushRules(rules(), room, ctx({ senderPowerLevel: 10, powerLevels: { notifications: { room: 10 } } }))?.highlight).toBe(true);
    expect(evaluatePushRules(rules(), room, ctx({ senderPowerLevel: 49, powerLevels: undefined }))?.highlight).toBe(false);
    // A v12 creator's power is infinite.
    expect(evaluatePushRules(rules(), room, ctx({ senderPowerLevel: Infinity }))?.highlight).toBe(true);
    // room must be exactly true, not "true".
    expect(ruleId(msg({ body: "x", "m.mentions": { room: "true" } }), ctx({ senderPowerLevel: 100 }))).toBe(".m.rule.message");
  });

  it("own messages never notify, even mentioning oneself", () => {
    expect(evaluatePushRules(rules(), msg({ body: "hi", "m.mentions": { user_ids: [ALICE] } }, { sender: ALICE }), ctx())).toBeUndefined();
  });

  it("m.notice is suppressed by .m.rule.suppress_notices", () => {
    const notice = msg({ msgtype: "m.notice", body: "bot says" });
    expect(ruleId(notice)).toBe(".m.rule.suppress_notices");
    expect(evaluatePushRules(rules(), notice, ctx())).toBeUndefined();
  });

  it("member events do not notify, but an invite for me does (.m.rule.invite_for_me)", () => {
    const join = { type: "m.room.member", room_id: ROOM, sender: BOB, state_key: BOB, content: { membership: "join" } };
    expect(ruleId(join)).toBe(".m.rule.member_event");
    expect(evaluatePushRules(rules(), join, ctx())).toBeUndefined();
    const invite = { type: "m.room.member", room_id: ROOM, sender: BOB, state_key: ALICE, content: { membership: "invite" } };
    expect(ruleId(invite)).toBe(".m.rule.invite_for_me");
    expect(evaluatePushRules(rules(), invite, ctx())).toMatchObject({ notify: true, highlight: false });
  });

  it("edits, reactions and server ACLs do not notify; a tombstone highlights", () => {
    expect(evaluatePushRules(rules(), msg({ body: "* fixed", "m.relates_to": { rel_type: "m.replace", event_id: "$x" } }), ctx())).toBeUndefined();
    expect(evaluatePushRules(rules(), { type: "m.reaction", room_id: ROOM, sender: BOB, content: {} }, ctx())).toBeUndefined();
    const tomb = { type: "m.room.tombstone", room_id: ROOM, sender: BOB, state_key: "", content: { body: "moved", replacement_room: "!n:x" } };
    expect(evaluatePushRules(rules(), tomb, ctx())).toMatchObject({ notify: true, highlight: true });
  });

  it("other events match no rule", () => {
    expect(matchPushRule(rules(), { type: "m.room.topic", room_id: ROOM, sender: BOB, state_key: "", content: { topic: "t" } }, ctx())).toBeUndefined();
  });

  it("the master rule, when enabled, silences everything", () => {
    const r = setRuleEnabled(rules(), "override", ".m.rule.master", true);
    expect(evaluatePushRules(r, msg({ body: "hi", "m.mentions": { user_ids: [ALICE] } }), ctx())).toBeUndefined();
  });

  it("a disabled predefined rule is skipped: with .m.rule.suppress_notices off a notice notifies", () => {
    const r = setRuleEnabled(rules(), "override", ".m.rule.suppress_notices", false);
    expect(ruleId(msg({ msgtype: "m.notice", body: "bot" }), ctx(), r)).toBe(".m.rule.message");
  });
});

describe("push rule evaluation: conditions", () => {
  const override = (conditions: object[], actions: unknown[] = ["notify", { set_tweak: "highlight" }]) =>
    putUserRule(rules(), "override", "mine", { conditions: conditions as never, actions: actions as never }, {});

  it("contains_display_name matches the display name as whole words, case-insensitively", () => {
    const r = override([{ kind: "contains_display_name" }]);
    expect(ruleId(msg({ body: "hi alice liddell!" }), ctx(), r)).toBe("mine");
    expect(ruleId(msg({ body: "hi Alice Liddellx" }), ctx(), r)).toBe(".m.rule.message");
    expect(ruleId(msg({ body: "hi Alice Liddell" }), ctx({ displayName: undefined }), r)).toBe(".m.rule.message");
    // Characters that mean something in a regex are taken literally.
    expect(ruleId(msg({ body: "ping a.b+(c)" }), ctx({ displayName: "a.b+(c)" }), r)).toBe("mine");
    expect(ruleId(msg({ body: "ping axb+(c)" }), ctx({ displayName: "a.b+(c)" }), r)).toBe(".m.rule.message");
  });

  it("event_match is a case-insensitive glob on the whole value; content.body at word boundaries", () => {
    const topic = (t: unknown) => ({ type: "m.room.topic", room_id: ROOM, sender: BOB, state_key: "", content: { topic: t } });
    const r = override([{ kind: "event_match", key: "content.topic", pattern: "lunc?*" }]);
    expect(ruleId(topic("Lunch plans"), ctx(), r)).toBe("mine");
    expect(ruleId(topic("LUNCH"), ctx(), r)).toBe("mine");
    expect(ruleId(topic(" lunch"), ctx(), r)).toBeUndefined();
    expect(ruleId(topic("lunc"), ctx(), r)).toBeUndefined();
    expect(ruleId(topic(null), ctx(), r)).toBeUndefined();
    const b = override([{ kind: "event_match", key: "content.body", pattern: "ex*ple" }]);
    expect(ruleId(msg({ body: "An example event." }), ctx(), b)).toBe("mine");
    expect(ruleId(msg({ body: "exple" }), ctx(), b)).toBe("mine");
    expect(ruleId(msg({ body: "An exciting triple-whammy" }), ctx(), b)).toBe("mine");
    expect(ruleId(msg({ body: "counterexample" }), ctx(), b)).toBe(".m.rule.message");
    // Absent property never matches, even with *.
    const any = override([{ kind: "event_match", key: "content.nothing", pattern: "*" }]);
    expect(ruleId(msg({ body: "x" }), ctx(), any)).toBe(".m.rule.message");
  });

  it("event_property_is and _contains compare exactly and follow escaped dots", () => {
    expect(splitPropertyPath("content.m\\.relates_to.rel_type")).toEqual(["content", "m.relates_to", "rel_type"]);
    expect(splitPropertyPath("content.m\\\\foo")).toEqual(["content", "m\\foo"]);
    expect(splitPropertyPath("content.a\\xb")).toEqual(["content", "a\\xb"]);
    const r = override([{ kind: "event_property_is", key: "content.m\\.federate", value: true }]);
    const create = (v: unknown) => ({ type: "m.room.create", room_id: ROOM, sender: BOB, state_key: "", content: { "m.federate": v } });
    expect(ruleId(create(true), ctx(), r)).toBe("mine");
    expect(ruleId(create("true"), ctx(), r)).toBeUndefined();
    expect(ruleId(create(1), ctx(), r)).toBeUndefined();
    const c = override([{ kind: "event_property_contains", key: "content.alt_aliases", value: "#myroom:example.com" }]);
    const alias = (v: unknown) => ({ type: "m.room.canonical_alias", room_id: ROOM, sender: BOB, state_key: "", content: { alt_aliases: v } });
    expect(ruleId(alias(["#somewhere:example.org", "#myroom:example.com"]), ctx(), c)).toBe("mine");
    expect(ruleId(alias([":example.com"]), ctx(), c)).toBeUndefined();
    expect(ruleId(alias("#myroom:example.com"), ctx(), c)).toBeUndefined();
  });

  it("room_member_count takes ==, <, >, <=, >= and a bare number", () => {
    const at = (is: string, n: number) => ruleId(msg({ body: "x" }), ctx({ memberCount: n }), override([{ kind: "room_member_count", is }]));
    expect(at("3", 3)).toBe("mine");
    expect(at("==3", 4)).not.toBe("mine");
    expect(at("<3", 2)).toBe("mine");
    expect(at("<3", 3)).not.toBe("mine");
    expect(at(">=10", 10)).toBe("mine");
    expect(at("<=10", 11)).not.toBe("mine");
    expect(at(">1", 2)).toBe("mine");
    expect(at("bogus", 2)).not.toBe("mine");
  });

  it("an unknown condition kind never holds", () => {
    expect(ruleId(msg({ body: "x" }), ctx(), override([{ kind: "org.example.future" }]))).toBe(".m.rule.message");
  });
});

describe("push rule evaluation: user-defined rules", () => {
  it("override rules come before the predefined ones (after the master rule)", () => {
    const r = putUserRule(rules(), "override", "quiet-bob", { conditions: [{ kind: "event_match", key: "sender", pattern: BOB }], actions: [] }, {});
    expect(evaluatePushRules(r, msg({ body: "x", "m.mentions": { user_ids: [ALICE] } }), ctx())).toBeUndefined();
  });

  it("content rules match the body at word boundaries and beat room/sender/underride rules", () => {
    const r = putUserRule(rules(), "content", "cake", { pattern: "cake", actions: ["notify", { set_tweak: "highlight" }] }, {});
    expect(evaluatePushRules(r, msg({ body: "I like CAKE." }), ctx())).toMatchObject({ highlight: true });
    expect(evaluatePushRules(r, msg({ body: "pancakes" }), ctx())).toMatchObject({ highlight: false });
  });

  it("room rules by room ID and sender rules by user ID", () => {
    const muted = putUserRule(rules(), "room", ROOM, { actions: [] }, {});
    expect(evaluatePushRules(muted, msg({ body: "x" }), ctx())).toBeUndefined();
    expect(evaluatePushRules(muted, msg({ body: "x" }, { room_id: "!other:test.local" }), ctx())).toMatchObject({ notify: true });
    // A mention is an override rule: it still highlights in a muted room.
    expect(evaluatePushRules(muted, msg({ body: "x", "m.mentions": { user_ids: [ALICE] } }), ctx())).toMatchObject({ highlight: true });
    const loud = putUserRule(rules(), "sender", BOB, { actions: ["notify", { set_tweak: "highlight", value: true }] }, {});
    expect(evaluatePushRules(loud, msg({ body: "x" }), ctx())).toMatchObject({ highlight: true });
    expect(evaluatePushRules(loud, msg({ body: "x" }, { sender: "@carol:test.local" }), ctx())).toMatchObject({ highlight: false });
  });

  it("underride rules come last; highlight with value false does not highlight", () => {
    const r = putUserRule(rules(), "underride", "topics", {
      conditions: [{ kind: "event_match", key: "type", pattern: "m.room.topic" }],
      actions: ["notify", { set_tweak: "highlight", value: false }],
    }, {});
    const topic = { type: "m.room.topic", room_id: ROOM, sender: BOB, state_key: "", content: { topic: "t" } };
    expect(evaluatePushRules(r, topic, ctx())).toMatchObject({ notify: true, highlight: false });
  });

  it("a disabled user rule is skipped", () => {
    const r = setRuleEnabled(putUserRule(rules(), "room", ROOM, { actions: [] }, {}), "room", ROOM, false);
    expect(evaluatePushRules(r, msg({ body: "x" }), ctx())).toMatchObject({ notify: true });
  });

  it("a stored m.push_rules ruleset is evaluated as its effective ruleset", () => {
    const stored = { global: { override: [{ rule_id: ".m.rule.master", enabled: true, actions: [] }], underride: [] } };
    expect(evaluatePushRules(effectiveRuleset(ALICE, stored), msg({ body: "x" }), ctx())).toBeUndefined();
    expect(evaluatePushRules(effectiveRuleset(ALICE, undefined), msg({ body: "x" }), ctx())).toMatchObject({ notify: true });
  });
});
