/**
 * Push rule shapes and the server-default ("predefined") rules of the client-server API,
 * "Push Notifications" → "Predefined Rules" (spec v1.19). Rules are listed in the spec's order;
 * the legacy body-matching defaults (.m.rule.contains_user_name, .m.rule.contains_display_name,
 * .m.rule.roomnotif) were removed in v1.17, so there are no default content rules.
 */

/** The kinds in the order they are checked. */
export const PUSH_KINDS = ["override", "content", "room", "sender", "underride"] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

export function isPushKind(s: string): s is PushKind {
  return (PUSH_KINDS as readonly string[]).includes(s);
}

/** "notify" or an object such as `{ set_tweak: "sound", value: "default" }`. */
export type PushAction = string | { [key: string]: unknown };
export type PushCondition = { kind: string; [key: string]: unknown };

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  /** override and underride rules only. */
  conditions?: PushCondition[];
  /** content rules only. */
  pattern?: string;
}

export type PushRuleset = Record<PushKind, PushRule[]>;

/** The rule that always comes first, before user-defined override rules. */
export const MASTER_RULE_ID = ".m.rule.master";

const SOUND_DEFAULT = { set_tweak: "sound", value: "default" };
const HIGHLIGHT = { set_tweak: "highlight" };

function rule(rule_id: string, conditions: PushCondition[], actions: PushAction[], enabled = true): PushRule {
  return { rule_id, default: true, enabled, conditions, actions };
}

function eventMatch(key: string, pattern: string): PushCondition {
  return { kind: "event_match", key, pattern };
}

/** The predefined override rules for `userId`, in spec order. */
function defaultOverride(userId: string): PushRule[] {
  return [
    rule(MASTER_RULE_ID, [], [], false),
    rule(".m.rule.suppress_notices", [eventMatch("content.msgtype", "m.notice")], []),
    rule(
      ".m.rule.invite_for_me",
      [eventMatch("type", "m.room.member"), eventMatch("content.membership", "invite"), eventMatch("state_key", userId)],
      ["notify", SOUND_DEFAULT],
    ),
    rule(".m.rule.member_event", [eventMatch("type", "m.room.member")], []),
    rule(
      ".m.rule.is_user_mention",
      [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: userId }],
      ["notify", SOUND_DEFAULT, HIGHLIGHT],
    ),
    rule(
      ".m.rule.is_room_mention",
      [
        { kind: "event_property_is", key: "content.m\\.mentions.room", value: true },
        { kind: "sender_notification_permission", key: "room" },
      ],
      ["notify", HIGHLIGHT],
    ),
    rule(".m.rule.tombstone", [eventMatch("type", "m.room.tombstone"), eventMatch("state_key", "")], ["notify", HIGHLIGHT]),
    rule(".m.rule.reaction", [eventMatch("type", "m.reaction")], []),
    rule(".m.rule.room.server_acl", [eventMatch("type", "m.room.server_acl"), eventMatch("state_key", "")], []),
    rule(".m.rule.suppress_edits", [{ kind: "event_property_is", key: "content.m\\.relates_to.rel_type", value: "m.replace" }], []),
  ];
}

/** The predefined underride rules, in spec order. */
function defaultUnderride(): PushRule[] {
  const memberCount2: PushCondition = { kind: "room_member_count", is: "2" };
  return [
    rule(".m.rule.call", [eventMatch("type", "m.call.invite")], ["notify", { set_tweak: "sound", value: "ring" }]),
    rule(".m.rule.encrypted_room_one_to_one", [memberCount2, eventMatch("type", "m.room.encrypted")], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.room_one_to_one", [memberCount2, eventMatch("type", "m.room.message")], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.message", [eventMatch("type", "m.room.message")], ["notify"]),
    rule(".m.rule.encrypted", [eventMatch("type", "m.room.encrypted")], ["notify"]),
  ];
}

/** A fresh copy of every predefined rule for `userId` (callers may mutate it). */
export function defaultPushRules(userId: string): PushRuleset {
  return structuredClone({
    override: defaultOverride(userId),
    content: [],
    room: [],
    sender: [],
    underride: defaultUnderride(),
  });
}
