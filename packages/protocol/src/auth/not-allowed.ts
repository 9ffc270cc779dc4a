/**
 * Auth failures name the rule they broke. Rule functions throw `NotAllowed(rule, message)`; the
 * public `checkEventAuth` catches it and answers `{ allowed: false, reason: "<rule>: <message>" }`,
 * so logs and tests match a stable id instead of prose.
 */

/** Every rule id an auth check can fail with, grouped by the spec section it belongs to. */
export const AUTH_RULES = [
  // Rule 1: m.room.create
  "create.has_prev_events",
  "create.room_id_domain_mismatch",
  "create.has_room_id",
  "create.unknown_room_version",
  "create.no_creator",
  "create.invalid_additional_creators",
  // v12 rule 2: the room ID is the create event's ID
  "room_id.not_create_event",
  // Rule "considering the event's auth_events"
  "auth_events.duplicate",
  "auth_events.unexpected",
  "auth_events.create_selected",
  "auth_events.no_create",
  "auth_events.wrong_room",
  // m.federate
  "federate.sender_domain",
  // v1–5 m.room.aliases
  "aliases.no_state_key",
  "aliases.sender_domain_mismatch",
  // m.room.member
  "member.no_state_key",
  "member.no_membership",
  "member.join_authorised_via.unsigned",
  "member.join.sender_not_target",
  "member.join.banned",
  "member.join.not_invited",
  "member.join.authoriser_not_joined",
  "member.join.authoriser_cannot_invite",
  "member.join.not_allowed",
  "member.invite.third_party.target_banned",
  "member.invite.third_party.no_signed",
  "member.invite.third_party.no_mxid_or_token",
  "member.invite.third_party.mxid_mismatch",
  "member.invite.third_party.no_invite_event",
  "member.invite.third_party.sender_mismatch",
  "member.invite.third_party.bad_signature",
  "member.invite.sender_not_joined",
  "member.invite.target_joined",
  "member.invite.target_banned",
  "member.invite.insufficient_power",
  "member.leave.not_member",
  "member.leave.sender_not_joined",
  "member.leave.unban_needs_ban_level",
  "member.leave.insufficient_power",
  "member.ban.sender_not_joined",
  "member.ban.insufficient_power",
  "member.knock.join_rule",
  "member.knock.sender_not_target",
  "member.knock.already_member",
  "member.unknown_membership",
  // Sender must be joined
  "sender.not_joined",
  // m.room.third_party_invite
  "third_party_invite.insufficient_power",
  // Required power level / state keys
  "event.insufficient_power",
  "event.not_canonical_json",
  "state_key.user_mismatch",
  // m.room.power_levels
  "power_levels.invalid_value",
  "power_levels.invalid_users",
  "power_levels.creator_in_users",
  "power_levels.level_from_above_own",
  "power_levels.level_to_above_own",
  "power_levels.events_from_above_own",
  "power_levels.events_to_above_own",
  "power_levels.user_not_below_own",
  "power_levels.user_above_own",
  // v1–2 m.room.redaction
  "redaction.domain_mismatch",
  // Outside the numbered rules
  "room_version.unknown",
] as const;

export type AuthRule = (typeof AUTH_RULES)[number];

export class NotAllowed extends Error {
  constructor(
    readonly rule: AuthRule,
    message: string,
  ) {
    super(message);
    this.name = "NotAllowed";
  }
}

/** Throws `NotAllowed`; typed `never` so callers read as guard clauses. */
export function reject(rule: AuthRule, message: string): never {
  throw new NotAllowed(rule, message);
}

export function isNotAllowed(e: unknown): e is NotAllowed {
  return e instanceof NotAllowed;
}
