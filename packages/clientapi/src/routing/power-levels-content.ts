/**
 * The format rules of m.room.power_levels content (the auth rules' power_levels checks that
 * need no previous state), applied before a client's power levels reach the roomserver:
 * content that breaks them is a malformed request, 400 M_BAD_JSON naming the field, not the
 * auth rules' 403 (and, for createRoom, not a half-made room). Used by PUT /state and by
 * createRoom's power_level_content_override.
 */
import { MatrixError, isValidUserId, parsePowerLevel, type RoomVersionRules } from "@dendrite-ts/protocol";

const NAMED_LEVELS = ["ban", "events_default", "invite", "kick", "redact", "state_default", "users_default"];

/**
 * `where` prefixes the field in the message (`body`, `body.power_level_content_override`);
 * `creators` are the room's creators, who may not be listed in `users` from room version 12.
 */
export function checkPowerLevelsContent(pl: Record<string, unknown>, rules: RoomVersionRules, creators: readonly string[], where: string): void {
  const auth = rules.authorization;
  const bad = (field: string, why: string): never => {
    throw new MatrixError("M_BAD_JSON", `${where}.${field}: ${why}`);
  };
  const level = (field: string, v: unknown) => {
    if (parsePowerLevel(v, auth) === undefined) bad(field, `${JSON.stringify(v)} is not a power level`);
  };
  for (const key of NAMED_LEVELS) if (key in pl) level(key, pl[key]);
  // `notifications` is checked by the auth rules from room version 6.
  const maps = auth.notificationsPowerLevels ? ["events", "notifications", "users"] : ["events", "users"];
  for (const map of maps) {
    if (!(map in pl)) continue;
    const m = pl[map];
    if (m === null || typeof m !== "object" || Array.isArray(m)) bad(map, "must be an object");
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (map === "users" && !isValidUserId(k)) bad(`users.${k}`, "not a user ID");
      level(`${map}.${k}`, v);
    }
  }
  // Room version 12: creators have infinite power and must not be listed.
  const users = pl.users as Record<string, unknown> | undefined;
  if (auth.privilegedCreators && users) {
    for (const creator of creators) {
      if (Object.hasOwn(users, creator)) bad(`users.${creator}`, "a room creator cannot be listed in room version 12+");
    }
  }
}
