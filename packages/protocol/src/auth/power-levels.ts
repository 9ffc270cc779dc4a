/**
 * Reading power levels: the value of one level, a user's level, the level an event needs.
 * Used by the auth rules and by state resolution (the power ordering), so the defaults live in
 * one place. Value parsing follows the room version: v1–5 accept numeric strings and truncate
 * floats, v6–9 forbid floats (canonical JSON) but still accept strings, v10+ take integers only.
 */
import type { AuthorizationRules } from "../room-versions";
import { eventContent, eventSender, isObject, isValidUserId, stringField } from "./event-fields";

export type PowerLevelRules = Pick<
  AuthorizationRules,
  "integerPowerLevels" | "strictCanonicalJson" | "creatorFromContent" | "privilegedCreators"
>;

/** Defaults the spec gives for keys missing from `m.room.power_levels` (or with no such event). */
export const POWER_LEVEL_DEFAULTS = {
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
  events_default: 0,
  state_default: 50,
  users_default: 0,
} as const;

export type NamedPowerLevel = keyof typeof POWER_LEVEL_DEFAULTS;
export const NAMED_POWER_LEVELS = Object.keys(POWER_LEVEL_DEFAULTS) as NamedPowerLevel[];

/** The creator's level in v1–11 rooms that have no `m.room.power_levels` event yet. */
export const CREATOR_DEFAULT_POWER_LEVEL = 100;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// v1–9 "stringy" levels: optional whitespace, one optional sign, decimal digits (leading zeros ok).
const STRINGY_INT = /^\s*[+-]?\d+\s*$/;

/** A power level value as the room version reads it, or `undefined` when it is not one. */
export function parsePowerLevel(value: unknown, rules: Pick<AuthorizationRules, "integerPowerLevels" | "strictCanonicalJson">): number | undefined {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return Math.abs(value) <= MAX_SAFE ? value : undefined;
    // Floats only exist where canonical JSON is not enforced (v1–5): truncate them.
    if (rules.integerPowerLevels || rules.strictCanonicalJson || !Number.isFinite(value)) return undefined;
    return Math.trunc(value);
  }
  if (typeof value === "string" && !rules.integerPowerLevels && STRINGY_INT.test(value)) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function plContent(powerLevelsEvent: object | undefined): Record<string, unknown> {
  return powerLevelsEvent === undefined ? {} : eventContent(powerLevelsEvent);
}

/** `ban`, `kick`, `invite`, … from the power levels event, or its default. */
export function namedPowerLevel(
  powerLevelsEvent: object | undefined,
  key: NamedPowerLevel,
  rules: Pick<AuthorizationRules, "integerPowerLevels" | "strictCanonicalJson">,
): number {
  return parsePowerLevel(plContent(powerLevelsEvent)[key], rules) ?? POWER_LEVEL_DEFAULTS[key];
}

/**
 * The room creators: v1–10 `content.creator`, v11 the create event's sender, v12 the sender plus
 * `content.additional_creators` (valid user IDs only).
 */
export function roomCreators(createEvent: object | undefined, rules: Pick<AuthorizationRules, "creatorFromContent" | "privilegedCreators">): string[] {
  if (createEvent === undefined) return [];
  const creator = rules.creatorFromContent ? stringField(eventContent(createEvent), "creator") : eventSender(createEvent);
  const creators = creator === undefined ? [] : [creator];
  if (rules.privilegedCreators) {
    const extra = eventContent(createEvent).additional_creators;
    if (Array.isArray(extra)) for (const u of extra) if (isValidUserId(u) && !creators.includes(u)) creators.push(u);
  }
  return creators;
}

/**
 * A user's power level. v12 creators: Infinity. With a power levels event: `users[userId]`, else
 * `users_default`, else 0. Without one: 100 for the creator (v1–11), 0 for everyone else.
 */
export function userPowerLevel(
  userId: string,
  powerLevelsEvent: object | undefined,
  createEvent: object | undefined,
  rules: PowerLevelRules,
): number {
  if (rules.privilegedCreators && roomCreators(createEvent, rules).includes(userId)) return Infinity;
  if (powerLevelsEvent === undefined) {
    if (!rules.privilegedCreators && roomCreators(createEvent, rules).includes(userId)) return CREATOR_DEFAULT_POWER_LEVEL;
    return 0;
  }
  const content = plContent(powerLevelsEvent);
  const users = content.users;
  if (isObject(users) && Object.hasOwn(users, userId)) {
    const level = parsePowerLevel(users[userId], rules);
    if (level !== undefined) return level;
  }
  return namedPowerLevel(powerLevelsEvent, "users_default", rules);
}

/**
 * The level needed to send an event of `type`: `events[type]`, else `state_default` for state
 * events (a `stateKey` is given, even "") or `events_default` for the rest.
 */
export function requiredPowerLevelForEvent(
  type: string,
  stateKey: string | undefined,
  powerLevelsEvent: object | undefined,
  rules: Pick<AuthorizationRules, "integerPowerLevels" | "strictCanonicalJson">,
): number {
  const events = plContent(powerLevelsEvent).events;
  if (isObject(events) && Object.hasOwn(events, type)) {
    const level = parsePowerLevel(events[type], rules);
    if (level !== undefined) return level;
  }
  return namedPowerLevel(powerLevelsEvent, stateKey === undefined ? "events_default" : "state_default", rules);
}
