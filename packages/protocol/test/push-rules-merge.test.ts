// The pure part of push rules: reading a stored m.push_rules ruleset back against today's
// predefined rules, and the edits (placement, deletion, enabled, actions) with their refusals.
import { MatrixError } from "../src/errors";
import { describe, expect, it } from "vitest";
import { defaultPushRules, PUSH_KINDS } from "../src/push-rules/defaults";
import {
  deleteUserRule,
  effectiveRuleset,
  putUserRule,
  readStoredRules,
  setRuleActions,
  setRuleEnabled,
  toAccountData,
} from "../src/push-rules/merge";

const ME = "@me:test.local";
const ids = (rules: Array<{ rule_id: string }>) => rules.map((r) => r.rule_id);

function expectMatrixError(f: () => unknown, errcode: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MatrixError);
    expect((e as MatrixError).errcode).toBe(errcode);
    return;
  }
  expect.fail(`expected ${errcode}`);
}

describe("effectiveRuleset", () => {
  it("with nothing stored is exactly the predefined rules", () => {
    expect(effectiveRuleset(ME, undefined)).toEqual(defaultPushRules(ME));
    expect(effectiveRuleset(ME, {})).toEqual(defaultPushRules(ME));
  });

  it("round-trips its own stored form", () => {
    let rules = putUserRule(effectiveRuleset(ME, undefined), "override", "mine", { actions: ["notify"], conditions: [] }, {});
    rules = setRuleEnabled(rules, "underride", ".m.rule.message", false);
    expect(effectiveRuleset(ME, JSON.parse(JSON.stringify(toAccountData(rules))))).toEqual(rules);
  });

  it("drops predefined rules the spec no longer has, adds new ones, keeps the user's flags and actions", () => {
    const stored = {
      global: {
        override: [
          { rule_id: ".m.rule.contains_display_name", default: true, enabled: true, conditions: [{ kind: "contains_display_name" }], actions: ["notify"] },
          { rule_id: ".m.rule.master", default: true, enabled: true, conditions: [], actions: [] },
          // Stored with someone else's ID and odd conditions: the server's definition wins.
          { rule_id: ".m.rule.is_user_mention", default: true, enabled: false, conditions: [], actions: ["notify"] },
        ],
        content: [{ rule_id: ".m.rule.contains_user_name", default: true, enabled: true, pattern: "me", actions: ["notify"] }],
        underride: [{ rule_id: ".m.rule.message", default: true, enabled: true, conditions: [], actions: ["notify", "dont_notify"] }],
      },
    };
    const r = effectiveRuleset(ME, stored);
    const fresh = defaultPushRules(ME);
    expect(ids(r.override)).toEqual(ids(fresh.override));
    expect(r.content).toEqual([]);
    expect(r.override[0]).toMatchObject({ rule_id: ".m.rule.master", enabled: true });
    const mention = r.override.find((x) => x.rule_id === ".m.rule.is_user_mention");
    expect(mention).toEqual({ ...fresh.override.find((x) => x.rule_id === ".m.rule.is_user_mention"), enabled: false, actions: ["notify"] });
    expect(r.underride.find((x) => x.rule_id === ".m.rule.message")?.actions).toEqual(["notify"]);
  });

  it("puts user rules after the master rule and before the other predefined rules, in stored order", () => {
    const stored = {
      global: {
        override: [
          { rule_id: "u2", enabled: true, conditions: [], actions: [] },
          { rule_id: ".m.rule.suppress_notices", enabled: true, actions: [] },
          { rule_id: "u1", enabled: false, actions: [] },
        ],
        underride: [{ rule_id: ".m.rule.call", actions: [] }, { rule_id: "u3", actions: ["notify"] }],
        room: [{ rule_id: "!r:x", default: true, enabled: true, actions: [], conditions: [{ kind: "event_match" }] }],
      },
    };
    const r = effectiveRuleset(ME, stored);
    expect(ids(r.override).slice(0, 4)).toEqual([".m.rule.master", "u2", "u1", ".m.rule.suppress_notices"]);
    expect(r.override[2]).toEqual({ rule_id: "u1", default: false, enabled: false, conditions: [], actions: [] });
    expect(ids(r.underride)[0]).toBe("u3");
    // A user rule is never "default", and room rules carry no conditions.
    expect(r.room).toEqual([{ rule_id: "!r:x", default: false, enabled: true, actions: [] }]);
  });

  it("reads malformed stored content leniently", () => {
    for (const junk of [null, 7, "x", [], { global: 1 }, { global: { override: "x", content: [null, 1, {}, { rule_id: 5 }] } }]) {
      expect(effectiveRuleset(ME, junk)).toEqual(defaultPushRules(ME));
    }
    const stored = readStoredRules({
      global: { sender: [{ rule_id: "@a:x", actions: "notify" }, { rule_id: "@a:x", actions: ["notify"] }, { rule_id: "@b:x", actions: [1, "notify", {}], conditions: [{ no: "kind" }] }] },
    });
    expect(stored.sender).toEqual([
      { rule_id: "@a:x", default: false, enabled: true, actions: [] },
      { rule_id: "@b:x", default: false, enabled: true, actions: ["notify", {}], conditions: [] },
    ]);
  });
});

describe("edits", () => {
  const base = () => effectiveRuleset(ME, undefined);
  const add = (rules = base(), id: string, placement = {}) => putUserRule(rules, "underride", id, { actions: ["notify"], conditions: [] }, placement);

  it("a new rule is the most important user rule; before/after place it; before wins", () => {
    let r = add(base(), "a");
    r = add(r, "b");
    expect(ids(r.underride).slice(0, 2)).toEqual(["b", "a"]);
    r = add(r, "c", { after: "a" });
    r = add(r, "d", { before: "a" });
    r = add(r, "e", { before: "b", after: "c" });
    expect(ids(r.underride)).toEqual(["e", "b", "d", "a", "c", ...ids(base().underride)]);
  });

  it("replacing keeps place and enabled flag unless moved", () => {
    let r = add(add(base(), "a"), "b");
    r = setRuleEnabled(r, "underride", "a", false);
    r = putUserRule(r, "underride", "a", { actions: [], conditions: [{ kind: "x" }] }, {});
    expect(r.underride[1]).toEqual({ rule_id: "a", default: false, enabled: false, actions: [], conditions: [{ kind: "x" }] });
    r = putUserRule(r, "underride", "a", { actions: [] }, { before: "b" });
    expect(ids(r.underride).slice(0, 2)).toEqual(["a", "b"]);
  });

  it("does not change the ruleset it was given", () => {
    const r = base();
    const copy = structuredClone(r);
    add(r, "a");
    setRuleEnabled(r, "override", ".m.rule.master", true);
    setRuleActions(r, "underride", ".m.rule.call", []);
    expect(r).toEqual(copy);
  });

  it("refuses reserved IDs, slashes, bad anchors; deletes only user rules; 404 for unknown rules", () => {
    expectMatrixError(() => add(base(), ".x"), "M_INVALID_PARAM");
    expectMatrixError(() => add(base(), "a/b"), "M_INVALID_PARAM");
    expectMatrixError(() => add(base(), "a\\b"), "M_INVALID_PARAM");
    expectMatrixError(() => add(base(), "a", { before: "missing" }), "M_UNKNOWN");
    expectMatrixError(() => add(base(), "a", { after: ".m.rule.call" }), "M_UNKNOWN");
    expectMatrixError(() => add(add(base(), "a"), "a", { before: "a" }), "M_UNKNOWN");
    const withOverrideB = putUserRule(base(), "override", "b", { actions: [] }, {});
    expectMatrixError(() => add(withOverrideB, "a", { after: "b" }), "M_UNKNOWN"); // "b" is of another kind
    expectMatrixError(() => deleteUserRule(base(), "underride", ".m.rule.call"), "M_NOT_FOUND");
    expectMatrixError(() => deleteUserRule(base(), "underride", "nope"), "M_NOT_FOUND");
    expectMatrixError(() => setRuleEnabled(base(), "override", "nope", true), "M_NOT_FOUND");
    expectMatrixError(() => setRuleActions(base(), "room", ".m.rule.master", []), "M_NOT_FOUND");
    expect(ids(deleteUserRule(add(base(), "a"), "underride", "a").underride)).toEqual(ids(base().underride));
  });

  it("strips historical actions", () => {
    expect(setRuleActions(base(), "underride", ".m.rule.call", ["dont_notify", "coalesce"]).underride[0]?.actions).toEqual([]);
    expect(PUSH_KINDS).toEqual(["override", "content", "room", "sender", "underride"]);
  });
});
