/**
 * `m.room.power_levels` events (rule 10 in v1–5 and v12, rule 9 in v6–11): the content must be
 * well formed for the room version, and nobody may raise a level above their own or change a
 * level (or a user) at or above their own.
 */
import { powerOf, type AuthContext } from "./context";
import { eventContent, isObject, isValidUserId, type JsonObject } from "./event-fields";
import { reject } from "./not-allowed";
import { NAMED_POWER_LEVELS, parsePowerLevel, roomCreators } from "./power-levels";


/** The maps of levels the change rules walk: `events`, plus `notifications` from v6. */
function levelMaps(ctx: AuthContext): Array<"events" | "notifications"> {
  return ctx.rules.authorization.notificationsPowerLevels ? ["events", "notifications"] : ["events"];
}

export function checkPowerLevels(ctx: AuthContext): void {
  const rules = ctx.rules.authorization;
  const parse = (v: unknown): number | undefined => parsePowerLevel(v, rules);
  const content = eventContent(ctx.event);

  // v10 rules 9.1/9.2 (integers only); earlier versions parse numeric strings (and v1–5 floats),
  // and a value that parses as no level at all cannot be compared, so it is rejected too.
  for (const key of NAMED_POWER_LEVELS) {
    if (key in content && parse(content[key]) === undefined) {
      reject("power_levels.invalid_value", `${key} is not a valid power level: ${JSON.stringify(content[key])}`);
    }
  }
  for (const map of levelMaps(ctx)) {
    if (!(map in content)) continue;
    const m = content[map];
    if (!isObject(m)) reject("power_levels.invalid_value", `${map} is not an object`);
    for (const [k, v] of Object.entries(m)) {
      if (parse(v) === undefined) reject("power_levels.invalid_value", `${map}.${k} is not a valid power level: ${JSON.stringify(v)}`);
    }
  }
  if ("users" in content) {
    const users = content.users;
    if (!isObject(users)) reject("power_levels.invalid_users", "users is not an object");
    for (const [u, v] of Object.entries(users)) {
      if (!isValidUserId(u)) reject("power_levels.invalid_users", `${u} is not a valid user ID`);
      if (parse(v) === undefined) reject("power_levels.invalid_users", `users.${u} is not a valid power level: ${JSON.stringify(v)}`);
    }
  }

  if (rules.privilegedCreators) {
    const users = isObject(content.users) ? content.users : {};
    for (const creator of roomCreators(ctx.state.create, rules)) {
      if (Object.hasOwn(users, creator)) reject("power_levels.creator_in_users", `room creator ${creator} cannot be listed in users`);
    }
  }

  const previous = ctx.state.powerLevels;
  if (previous === undefined) return;
  const old = eventContent(previous);
  const senderLevel = powerOf(ctx, ctx.sender);

  for (const key of NAMED_POWER_LEVELS) {
    const [before, after] = [parse(old[key]), parse(content[key])];
    if (before === after) continue;
    if (before !== undefined && before > senderLevel) {
      reject("power_levels.level_from_above_own", `${key} is ${before}, above the sender's ${senderLevel}`);
    }
    if (after !== undefined && after > senderLevel) {
      reject("power_levels.level_to_above_own", `${key} would be ${after}, above the sender's ${senderLevel}`);
    }
  }

  const changes = (map: string): Array<[string, number | undefined, number | undefined]> => {
    const [o, n] = [asObject(old[map]), asObject(content[map])];
    const keys = new Set([...Object.keys(o), ...Object.keys(n)]);
    return [...keys]
      .map((k): [string, number | undefined, number | undefined] => [k, parse(o[k]), parse(n[k])])
      .filter(([, b, a]) => b !== a);
  };

  const maps = levelMaps(ctx);
  for (const map of maps) {
    for (const [k, before] of changes(map)) {
      if (before !== undefined && before > senderLevel) {
        reject("power_levels.events_from_above_own", `${map}.${k} is ${before}, above the sender's ${senderLevel}`);
      }
    }
  }
  for (const map of maps) {
    for (const [k, , after] of changes(map)) {
      if (after !== undefined && after > senderLevel) {
        reject("power_levels.events_to_above_own", `${map}.${k} would be ${after}, above the sender's ${senderLevel}`);
      }
    }
  }

  const userChanges = changes("users");
  for (const [u, before] of userChanges) {
    if (u !== ctx.sender && before !== undefined && before >= senderLevel) {
      reject("power_levels.user_not_below_own", `${u} has ${before}, not below the sender's ${senderLevel}`);
    }
  }
  for (const [u, , after] of userChanges) {
    if (after !== undefined && after > senderLevel) {
      reject("power_levels.user_above_own", `${u} would get ${after}, above the sender's ${senderLevel}`);
    }
  }
}

function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}
