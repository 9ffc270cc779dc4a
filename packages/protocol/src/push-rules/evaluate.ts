/**
 * Push rule evaluation (client-server API, "Push Notifications" → "Push Rules"): the first
 * enabled rule whose conditions all hold, checked kind by kind in the spec's order, decides the
 * actions. Pure: the caller supplies what the rules may ask about the room and the rules' owner
 * (their display name there, the member count, the sender's power level, the power levels).
 */
import { PUSH_KINDS, type PushAction, type PushCondition, type PushKind, type PushRule, type PushRuleset } from "./defaults";

export interface PushContext {
  /** The owner of the rules. */
  userId: string;
  /** The owner's display name in the room (their member event's), for contains_display_name. */
  displayName?: string | undefined;
  /** Joined members of the room, for room_member_count. */
  memberCount: number;
  /** The sender's power level in the room (Infinity for a v12 creator). */
  senderPowerLevel: number;
  /** Content of the room's m.room.power_levels (absent: none), for sender_notification_permission. */
  powerLevels?: Record<string, unknown> | undefined;
}

export interface MatchedRule {
  kind: PushKind;
  rule: PushRule;
}

/** What a rule's actions mean for counts: notify at all, and highlight. */
export interface PushOutcome {
  notify: boolean;
  highlight: boolean;
  actions: PushAction[];
}

type Json = unknown;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A dot-separated property path split into names (`\.` and `\\` unescaped, other escapes kept). */
export function splitPropertyPath(key: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === "\\" && (key[i + 1] === "." || key[i + 1] === "\\")) {
      cur += key[i + 1];
      i++;
    } else if (c === ".") {
      parts.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

const pathCache = new Map<string, string[]>();

/** The event's property at `key`, or undefined when any step is absent or not an object. */
function property(event: Json, key: string): Json {
  let path = pathCache.get(key);
  if (!path) {
    path = splitPropertyPath(key);
    if (pathCache.size < 1000) pathCache.set(key, path);
  }
  let v: Json = event;
  for (const name of path) {
    if (!isObject(v) || !Object.hasOwn(v, name)) return undefined;
    v = v[name];
  }
  return v;
}

const WORD = "A-Za-z0-9_";
const globCache = new Map<string, RegExp>();

/** The glob as a case-insensitive regex: the whole value, or (for content.body) any run of words. */
function globRegex(pattern: string, words: boolean): RegExp {
  const cacheKey = `${words ? "w" : "v"}${pattern}`;
  let re = globCache.get(cacheKey);
  if (re) return re;
  const body = [...pattern]
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&")))
    .join("");
  re = words ? new RegExp(`(?<![${WORD}])${body}(?![${WORD}])`, "iu") : new RegExp(`^${body}$`, "iu");
  if (globCache.size < 10_000) globCache.set(cacheKey, re);
  return re;
}

function eventMatch(event: Json, key: unknown, pattern: unknown): boolean {
  if (typeof key !== "string" || typeof pattern !== "string") return false;
  const value = property(event, key);
  if (typeof value !== "string") return false;
  return globRegex(pattern, key === "content.body").test(value);
}

/** Strings, integers in the canonical range, booleans and null: the values these conditions compare. */
function isSimpleValue(v: unknown): boolean {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v));
}

function propertyIs(event: Json, key: unknown, value: unknown): boolean {
  if (typeof key !== "string" || !isSimpleValue(value)) return false;
  const v = property(event, key);
  return isSimpleValue(v) && v === value;
}

function propertyContains(event: Json, key: unknown, value: unknown): boolean {
  if (typeof key !== "string" || !isSimpleValue(value)) return false;
  const v = property(event, key);
  return Array.isArray(v) && v.some((x) => isSimpleValue(x) && x === value);
}

function containsDisplayName(event: Json, displayName: string | undefined): boolean {
  if (!displayName) return false;
  const body = property(event, "content.body");
  if (typeof body !== "string") return false;
  const escaped = displayName.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  return new RegExp(`(?<![${WORD}])${escaped}(?![${WORD}])`, "iu").test(body);
}

function memberCountIs(is: unknown, count: number): boolean {
  if (typeof is !== "string") return false;
  const m = /^(==|<=|>=|<|>)?(\d+)$/.exec(is);
  if (!m) return false;
  const n = Number(m[2]);
  switch (m[1] ?? "==") {
    case "==": return count === n;
    case "<": return count < n;
    case ">": return count > n;
    case "<=": return count <= n;
    default: return count >= n;
  }
}

/** The level `notifications[key]` of the power levels; 50 when unset or not an integer. */
function notificationLevel(powerLevels: Record<string, unknown> | undefined, key: string): number {
  const n = isObject(powerLevels?.notifications) ? powerLevels.notifications[key] : undefined;
  if (typeof n === "number" && Number.isInteger(n)) return n;
  if (typeof n === "string" && /^\s*[+-]?\d+\s*$/.test(n)) return Number(n);
  return 50;
}

function conditionHolds(c: PushCondition, event: Json, ctx: PushContext): boolean {
  switch (c.kind) {
    case "event_match": return eventMatch(event, c.key, c.pattern);
    case "event_property_is": return propertyIs(event, c.key, c.value);
    case "event_property_contains": return propertyContains(event, c.key, c.value);
    case "contains_display_name": return containsDisplayName(event, ctx.displayName);
    case "room_member_count": return memberCountIs(c.is, ctx.memberCount);
    case "sender_notification_permission":
      return typeof c.key === "string" && ctx.senderPowerLevel >= notificationLevel(ctx.powerLevels, c.key);
    // A condition this server does not know never holds (the spec: the rule is not applied).
    default: return false;
  }
}

function ruleMatches(kind: PushKind, rule: PushRule, event: Json, ctx: PushContext): boolean {
  switch (kind) {
    case "override":
    case "underride":
      return (rule.conditions ?? []).every((c) => conditionHolds(c, event, ctx));
    case "content":
      return rule.pattern !== undefined && eventMatch(event, "content.body", rule.pattern);
    case "room":
      return isObject(event) && event.room_id === rule.rule_id;
    case "sender":
      return isObject(event) && event.sender === rule.rule_id;
  }
}

/** The rule that decides the event for this ruleset's owner, or undefined when none matches. */
export function matchPushRule(rules: PushRuleset, event: object, ctx: PushContext): MatchedRule | undefined {
  for (const kind of PUSH_KINDS) {
    for (const rule of rules[kind]) {
      if (rule.enabled && ruleMatches(kind, rule, event, ctx)) return { kind, rule };
    }
  }
  return undefined;
}

/** What actions mean: "notify" notifies; a highlight tweak (value absent or true) highlights. */
export function pushOutcome(actions: readonly PushAction[]): PushOutcome {
  const notify = actions.includes("notify");
  const highlight = actions.some((a) => isObject(a) && a.set_tweak === "highlight" && (a.value === undefined || a.value === true));
  return { notify, highlight: notify && highlight, actions: [...actions] };
}

/**
 * Whether and how the event notifies the rules' owner: undefined for their own events (a sender
 * is never notified of what they send) and when no rule matches or the actions do not notify.
 */
export function evaluatePushRules(rules: PushRuleset, event: object, ctx: PushContext): PushOutcome | undefined {
  if ((event as { sender?: unknown }).sender === ctx.userId) return undefined;
  const matched = matchPushRule(rules, event, ctx);
  if (!matched) return undefined;
  const outcome = pushOutcome(matched.rule.actions);
  return outcome.notify ? outcome : undefined;
}
