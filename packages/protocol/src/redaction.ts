/**
 * The redaction algorithm (room versions, "Redactions"; client-server API "Redactions"): keep
 * only the essential top-level keys and, for a few event types, a few content keys. Signatures
 * and the reference hash cover the redacted form, so this must be exact per room version.
 */
import type { RedactionRules } from "./room-versions";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";

/** Top-level keys every room version keeps. */
const KEPT_TOP_LEVEL = [
  "event_id",
  "type",
  "room_id",
  "sender",
  "state_key",
  "content",
  "hashes",
  "signatures",
  "depth",
  "prev_events",
  "auth_events",
  "origin_server_ts",
] as const;

/** Kept in v1–10, dropped from v11. */
const KEPT_TOP_LEVEL_BEFORE_V11 = ["origin", "membership", "prev_state"] as const;

const POWER_LEVELS_KEYS = ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"];

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (Object.hasOwn(source, key)) out[key] = source[key];
  }
  return out;
}

/** The content keys an event type keeps under these rules; "all" for v11+ create events. */
function keptContentKeys(type: unknown, rules: RedactionRules): readonly string[] | "all" {
  switch (type) {
    case "m.room.member":
      return rules.keepJoinAuthorisedVia ? ["membership", "join_authorised_via_users_server"] : ["membership"];
    case "m.room.create":
      return rules.keepAllCreateContent ? "all" : ["creator"];
    case "m.room.join_rules":
      return rules.keepJoinRulesAllow ? ["join_rule", "allow"] : ["join_rule"];
    case "m.room.power_levels":
      return rules.keepPowerLevelsInvite ? [...POWER_LEVELS_KEYS, "invite"] : POWER_LEVELS_KEYS;
    case "m.room.aliases":
      return rules.keepAliasesContent ? ["aliases"] : [];
    case "m.room.history_visibility":
      return ["history_visibility"];
    case "m.room.redaction":
      return rules.keepRedactionRedacts ? ["redacts"] : [];
    default:
      return [];
  }
}

function redactContent(type: unknown, content: unknown, rules: RedactionRules): Record<string, unknown> {
  if (typeof content !== "object" || content === null || Array.isArray(content)) return {};
  const source = content as Record<string, unknown>;
  const kept = keptContentKeys(type, rules);
  if (kept === "all") return { ...source };
  const out = pick(source, kept);
  // v11: a member event keeps `third_party_invite`, but only its `signed` key — an object
  // without one stays, empty (the redacted form must match other servers' byte for byte).
  if (type === "m.room.member" && rules.keepThirdPartyInviteSigned) {
    const invite = source.third_party_invite;
    if (typeof invite === "object" && invite !== null && !Array.isArray(invite)) {
      out.third_party_invite = pick(invite as Record<string, unknown>, ["signed"]);
    }
  }
  return out;
}

/** The redacted form of `event` under a room version's redaction rules. The input is not modified. */
export function redactEventWithRules(event: object, rules: RedactionRules): Record<string, unknown> {
  const source = event as Record<string, unknown>;
  const out = pick(source, KEPT_TOP_LEVEL);
  if (rules.keepOriginMembershipPrevState) Object.assign(out, pick(source, KEPT_TOP_LEVEL_BEFORE_V11));
  // `content` is always present after redaction, even if the original lacked a usable one.
  out.content = redactContent(source.type, source.content, rules);
  return out;
}

/** The redacted form of `event` in `roomVersion` (an ID such as "11", or its rules). */
export function redactEvent(event: object, roomVersion: RoomVersionInput): Record<string, unknown> {
  return redactEventWithRules(event, roomVersionRules(roomVersion).redaction);
}
