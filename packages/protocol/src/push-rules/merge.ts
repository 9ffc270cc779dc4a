/**
 * A user's push rules: the predefined rules with the user's changes applied. The stored form is
 * the full ruleset (`{ global: { override, content, … } }`, the content of the `m.push_rules`
 * account data clients read in /sync); reading it back reconciles it with today's defaults:
 *
 * - a predefined rule keeps the server's conditions and its place, and takes `enabled` and
 *   `actions` from the stored copy (so a rule added to the spec later simply appears, and a
 *   removed one disappears);
 * - user rules (IDs not starting with ".") keep their stored order; they sit after
 *   `.m.rule.master` and before every other predefined rule of their kind.
 *
 * Pure functions over plain data; edits return a new ruleset and throw MatrixError on misuse.
 */
import { MatrixError } from "../errors";
import {
  defaultPushRules,
  MASTER_RULE_ID,
  PUSH_KINDS,
  type PushAction,
  type PushCondition,
  type PushKind,
  type PushRule,
  type PushRuleset,
} from "./defaults";

/** Historical actions that clients and servers MUST ignore ("Historical Actions"). */
const HISTORICAL_ACTIONS = new Set(["dont_notify", "coalesce"]);

export function isServerDefaultId(ruleId: string): boolean {
  return ruleId.startsWith(".");
}

export function stripHistoricalActions(actions: readonly PushAction[]): PushAction[] {
  return actions.filter((a) => !(typeof a === "string" && HISTORICAL_ACTIONS.has(a)));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One stored rule read leniently: anything malformed is dropped rather than served. */
function readRule(raw: unknown): PushRule | undefined {
  if (!isObject(raw) || typeof raw.rule_id !== "string" || raw.rule_id === "") return undefined;
  const actions = Array.isArray(raw.actions)
    ? (raw.actions.filter((a) => typeof a === "string" || isObject(a)) as PushAction[])
    : [];
  const rule: PushRule = {
    rule_id: raw.rule_id,
    default: isServerDefaultId(raw.rule_id),
    enabled: typeof raw.enabled === "boolean" ? raw.enabled : true,
    actions: stripHistoricalActions(actions),
  };
  if (Array.isArray(raw.conditions)) {
    rule.conditions = raw.conditions.filter((c): c is PushCondition => isObject(c) && typeof c.kind === "string");
  }
  if (typeof raw.pattern === "string") rule.pattern = raw.pattern;
  return rule;
}

/** The stored rules per kind (absent kinds empty), from `m.push_rules` content of any shape. */
export function readStoredRules(content: unknown): PushRuleset {
  const global = isObject(content) && isObject(content.global) ? content.global : {};
  const out = { override: [], content: [], room: [], sender: [], underride: [] } as PushRuleset;
  for (const kind of PUSH_KINDS) {
    const list = global[kind];
    if (!Array.isArray(list)) continue;
    const seen = new Set<string>();
    for (const raw of list) {
      const r = readRule(raw);
      if (r && !seen.has(r.rule_id)) {
        seen.add(r.rule_id);
        out[kind].push(r);
      }
    }
  }
  return out;
}

/** Where user rules start in a list of `kind`: after the master rule, else at the top. */
function userRegionStart(kind: PushKind, list: readonly PushRule[]): number {
  return kind === "override" && list[0]?.rule_id === MASTER_RULE_ID ? 1 : 0;
}

/** The user's effective ruleset: defaults for `userId` with the stored changes (or none) applied. */
export function effectiveRuleset(userId: string, storedContent: unknown): PushRuleset {
  const stored = readStoredRules(storedContent);
  const defaults = defaultPushRules(userId);
  const out = {} as PushRuleset;
  for (const kind of PUSH_KINDS) {
    const storedById = new Map(stored[kind].map((r) => [r.rule_id, r]));
    const predefined = defaults[kind].map((d) => {
      const s = storedById.get(d.rule_id);
      return s ? { ...d, enabled: s.enabled, actions: s.actions } : d;
    });
    const user = stored[kind].filter((r) => !isServerDefaultId(r.rule_id)).map((r) => userRule(kind, r));
    const start = userRegionStart(kind, predefined);
    out[kind] = [...predefined.slice(0, start), ...user, ...predefined.slice(start)];
  }
  return out;
}

/** A user rule with only the fields its kind has. */
function userRule(kind: PushKind, r: PushRule): PushRule {
  const rule: PushRule = { rule_id: r.rule_id, default: false, enabled: r.enabled, actions: r.actions };
  if (kind === "override" || kind === "underride") rule.conditions = r.conditions ?? [];
  if (kind === "content") rule.pattern = r.pattern ?? "";
  return rule;
}

/** The content to store as `m.push_rules`. */
export function toAccountData(rules: PushRuleset): { global: PushRuleset } {
  return { global: rules };
}

const notFound = () => new MatrixError("M_NOT_FOUND", "The push rule was not found.");

export function findRule(rules: PushRuleset, kind: PushKind, ruleId: string): PushRule {
  const r = rules[kind].find((x) => x.rule_id === ruleId);
  if (!r) throw notFound();
  return r;
}

export interface NewRule {
  actions: PushAction[];
  conditions?: PushCondition[];
  pattern?: string;
}

export interface Placement {
  before?: string | undefined;
  after?: string | undefined;
}

/**
 * Adds or replaces the user rule `ruleId` of `kind` (PUT /pushrules/global/{kind}/{ruleId}).
 * New rules are enabled; a replaced rule keeps its enabled flag and, without before/after, its
 * place. `before` wins over `after` when both are given; both must name user rules of `kind`.
 * A new rule without either becomes the most important user rule of its kind.
 */
export function putUserRule(rules: PushRuleset, kind: PushKind, ruleId: string, body: NewRule, placement: Placement): PushRuleset {
  if (isServerDefaultId(ruleId)) {
    throw new MatrixError("M_INVALID_PARAM", "Rule IDs starting with '.' are reserved for server-default rules");
  }
  if (/[/\\]/.test(ruleId)) throw new MatrixError("M_INVALID_PARAM", "Rule IDs may not contain slashes or backslashes");
  const list = [...rules[kind]];
  const oldIndex = list.findIndex((r) => r.rule_id === ruleId);
  const old = oldIndex >= 0 ? list[oldIndex] : undefined;
  if (oldIndex >= 0) list.splice(oldIndex, 1);
  const rule = userRule(kind, { rule_id: ruleId, default: false, enabled: old?.enabled ?? true, ...body, actions: stripHistoricalActions(body.actions) });

  const anchor = placement.before ?? placement.after;
  let at: number;
  if (anchor !== undefined) {
    const which = placement.before !== undefined ? "before" : "after";
    // M_UNKNOWN: the errcode the spec gives for a before/after that names no usable rule.
    const badAnchor = (why: string) => new MatrixError("M_UNKNOWN", `before/after rule not found: ${anchor} (${which}: ${why})`);
    if (isServerDefaultId(anchor)) throw badAnchor("a rule cannot be placed relative to a server-default rule");
    if (anchor === ruleId) throw badAnchor("a rule cannot be placed relative to itself");
    const i = list.findIndex((r) => r.rule_id === anchor);
    if (i < 0) throw badAnchor(`no user-defined ${kind} rule has this ID`);
    at = which === "before" ? i : i + 1;
  } else {
    at = oldIndex >= 0 ? oldIndex : userRegionStart(kind, list);
  }
  list.splice(at, 0, rule);
  return { ...rules, [kind]: list };
}

/** Removes a user rule; predefined rules cannot be deleted (404, as they are not the user's). */
export function deleteUserRule(rules: PushRuleset, kind: PushKind, ruleId: string): PushRuleset {
  if (isServerDefaultId(ruleId)) throw new MatrixError("M_NOT_FOUND", "Server-default push rules cannot be deleted");
  findRule(rules, kind, ruleId);
  return { ...rules, [kind]: rules[kind].filter((r) => r.rule_id !== ruleId) };
}

function updateRule(rules: PushRuleset, kind: PushKind, ruleId: string, change: Partial<PushRule>): PushRuleset {
  findRule(rules, kind, ruleId);
  return { ...rules, [kind]: rules[kind].map((r) => (r.rule_id === ruleId ? { ...r, ...change } : r)) };
}

export function setRuleEnabled(rules: PushRuleset, kind: PushKind, ruleId: string, enabled: boolean): PushRuleset {
  return updateRule(rules, kind, ruleId, { enabled });
}

export function setRuleActions(rules: PushRuleset, kind: PushKind, ruleId: string, actions: PushAction[]): PushRuleset {
  return updateRule(rules, kind, ruleId, { actions: stripHistoricalActions(actions) });
}
