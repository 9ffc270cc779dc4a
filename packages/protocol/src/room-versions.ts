/**
 * Room versions 1–12 as data. Each version is the one before it plus what changed, so the
 * differences read as a list. Rule code asks a flag (`rules.authorization.knocking`), never a
 * version number; algorithms receive only the slice they need.
 */

export type EventIdFormat = "v1" | "v3" | "v4";

export interface EventFormatRules {
  /** v1/v2: `$opaque:server` chosen by the sender; v3: standard base64 reference hash; v4+: URL-safe. */
  readonly eventIdFormat: EventIdFormat;
  /** v1/v2: `prev_events`/`auth_events` are `[eventId, {sha256}]` pairs; v3+: plain event IDs. */
  readonly eventRefsWithHashes: boolean;
  /** v12: the room ID is `!` + the create event's reference hash (URL-safe base64, no server part). */
  readonly roomIdFromCreateEvent: boolean;
  /** v12: the create event carries no `room_id` and is not listed in other events' `auth_events`. */
  readonly createEventInAuthEvents: boolean;
  /** v6+: events must be valid canonical JSON (integers in range, no floats). */
  readonly strictCanonicalJson: boolean;
  /** v11+: an `m.room.redaction` names its target in `content.redacts`; v1–10 at the top level (`redacts`). */
  readonly redactsInContent: boolean;
}

export interface RedactionRules {
  /** v1–10: top-level `origin`, `membership`, `prev_state` survive redaction; v11 drops them. */
  readonly keepOriginMembershipPrevState: boolean;
  /** v1–5: `m.room.aliases` keeps `aliases`. */
  readonly keepAliasesContent: boolean;
  /** v8+: `m.room.join_rules` keeps `allow`. */
  readonly keepJoinRulesAllow: boolean;
  /** v9+: `m.room.member` keeps `join_authorised_via_users_server`. */
  readonly keepJoinAuthorisedVia: boolean;
  /** v11+: `m.room.create` keeps all of its content (v1–10: only `creator`). */
  readonly keepAllCreateContent: boolean;
  /** v11+: `m.room.power_levels` keeps `invite`. */
  readonly keepPowerLevelsInvite: boolean;
  /** v11+: `m.room.redaction` keeps `content.redacts`. */
  readonly keepRedactionRedacts: boolean;
  /** v11+: `m.room.member` keeps `third_party_invite.signed`. */
  readonly keepThirdPartyInviteSigned: boolean;
}

export interface SignatureRules {
  /** v5+: a signature only counts if the key was valid (`valid_until_ts`) at `origin_server_ts`. */
  readonly enforceKeyValidity: boolean;
}

export interface AuthorizationRules {
  /** v1–5: `m.room.aliases` has its own rule (state key = sender's domain). */
  readonly specialCaseAliases: boolean;
  /** v1–2: `m.room.redaction` is checked in the auth rules (sender domain = redacted event's domain). */
  readonly redactionInAuthRules: boolean;
  /** v6+: `notifications` in power levels is checked like the other keys when changed. */
  readonly notificationsPowerLevels: boolean;
  /** v6+: power levels values and create/member/join_rules/power_levels/third_party_invite content must be strict JSON. */
  readonly strictCanonicalJson: boolean;
  /** v7+: `knock` membership and join rule. */
  readonly knocking: boolean;
  /** v8+: `restricted` join rule with `join_authorised_via_users_server`. */
  readonly restrictedJoins: boolean;
  /** v10+: `knock_restricted` join rule. */
  readonly knockRestricted: boolean;
  /** v10+: power level values must be integers (v1–9 accept numeric strings). */
  readonly integerPowerLevels: boolean;
  /** v1–10: the room creator is `content.creator` of the create event; v11+: its `sender`. */
  readonly creatorFromContent: boolean;
  /** v12: creators (create sender + `additional_creators`) have infinite power and cannot be listed in `users`. */
  readonly privilegedCreators: boolean;
}

export type StateResAlgorithm = "v1" | "v2" | "v2.1";

export interface RoomVersionRules {
  readonly id: string;
  readonly stability: "stable" | "unstable";
  readonly eventFormat: EventFormatRules;
  readonly redaction: RedactionRules;
  readonly signatures: SignatureRules;
  readonly authorization: AuthorizationRules;
  readonly stateRes: StateResAlgorithm;
}

const V1 = {
  id: "1",
  stability: "stable",
  eventFormat: {
    eventIdFormat: "v1",
    eventRefsWithHashes: true,
    roomIdFromCreateEvent: false,
    createEventInAuthEvents: true,
    strictCanonicalJson: false,
    redactsInContent: false,
  },
  redaction: {
    keepOriginMembershipPrevState: true,
    keepAliasesContent: true,
    keepJoinRulesAllow: false,
    keepJoinAuthorisedVia: false,
    keepAllCreateContent: false,
    keepPowerLevelsInvite: false,
    keepRedactionRedacts: false,
    keepThirdPartyInviteSigned: false,
  },
  signatures: { enforceKeyValidity: false },
  authorization: {
    specialCaseAliases: true,
    redactionInAuthRules: true,
    notificationsPowerLevels: false,
    strictCanonicalJson: false,
    knocking: false,
    restrictedJoins: false,
    knockRestricted: false,
    integerPowerLevels: false,
    creatorFromContent: true,
    privilegedCreators: false,
  },
  stateRes: "v1",
} as const satisfies RoomVersionRules;

/** v2: state resolution v2. */
const V2 = { ...V1, id: "2", stateRes: "v2" } as const satisfies RoomVersionRules;

/** v3: event IDs are reference hashes; redactions are no longer checked by the auth rules. */
const V3 = {
  ...V2,
  id: "3",
  eventFormat: { ...V2.eventFormat, eventIdFormat: "v3", eventRefsWithHashes: false },
  authorization: { ...V2.authorization, redactionInAuthRules: false },
} as const satisfies RoomVersionRules;

/** v4: URL-safe event IDs. */
const V4 = { ...V3, id: "4", eventFormat: { ...V3.eventFormat, eventIdFormat: "v4" } } as const satisfies RoomVersionRules;

/** v5: signing key validity periods are enforced. */
const V5 = { ...V4, id: "5", signatures: { enforceKeyValidity: true } } as const satisfies RoomVersionRules;

/** v6: aliases lose their special meaning; strict canonical JSON; `notifications` power level checked. */
const V6 = {
  ...V5,
  id: "6",
  eventFormat: { ...V5.eventFormat, strictCanonicalJson: true },
  redaction: { ...V5.redaction, keepAliasesContent: false },
  authorization: {
    ...V5.authorization,
    specialCaseAliases: false,
    notificationsPowerLevels: true,
    strictCanonicalJson: true,
  },
} as const satisfies RoomVersionRules;

/** v7: knocking. */
const V7 = {
  ...V6,
  id: "7",
  authorization: { ...V6.authorization, knocking: true },
} as const satisfies RoomVersionRules;

/** v8: restricted join rules; join rules keep `allow` on redaction. */
const V8 = {
  ...V7,
  id: "8",
  redaction: { ...V7.redaction, keepJoinRulesAllow: true },
  authorization: { ...V7.authorization, restrictedJoins: true },
} as const satisfies RoomVersionRules;

/** v9: member events keep `join_authorised_via_users_server` on redaction. */
const V9 = {
  ...V8,
  id: "9",
  redaction: { ...V8.redaction, keepJoinAuthorisedVia: true },
} as const satisfies RoomVersionRules;

/** v10: `knock_restricted`; power level values must be integers. */
const V10 = {
  ...V9,
  id: "10",
  authorization: { ...V9.authorization, knockRestricted: true, integerPowerLevels: true },
} as const satisfies RoomVersionRules;

/** v11: `creator` gone (the create event's sender is the creator); `redacts` moves into content; redaction keeps more. */
const V11 = {
  ...V10,
  id: "11",
  eventFormat: { ...V10.eventFormat, redactsInContent: true },
  redaction: {
    ...V10.redaction,
    keepOriginMembershipPrevState: false,
    keepAllCreateContent: true,
    keepPowerLevelsInvite: true,
    keepRedactionRedacts: true,
    keepThirdPartyInviteSigned: true,
  },
  authorization: { ...V10.authorization, creatorFromContent: false },
} as const satisfies RoomVersionRules;

/** v12: room ID from the create event, privileged creators, state resolution v2.1. */
const V12 = {
  ...V11,
  id: "12",
  eventFormat: { ...V11.eventFormat, roomIdFromCreateEvent: true, createEventInAuthEvents: false },
  authorization: { ...V11.authorization, privilegedCreators: true },
  stateRes: "v2.1",
} as const satisfies RoomVersionRules;

const ROOM_VERSIONS: ReadonlyMap<string, RoomVersionRules> = new Map(
  [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12].map((v) => [v.id, v]),
);

/** The spec says new rooms SHOULD use room version 12. */
export const DEFAULT_ROOM_VERSION = "12";

/** Every room version we implement, oldest first. */
export const SUPPORTED_ROOM_VERSIONS: readonly string[] = [...ROOM_VERSIONS.keys()];

/** The rules of a room version, or undefined for a version we do not know. */
export function getRoomVersion(id: string): RoomVersionRules | undefined {
  return ROOM_VERSIONS.get(id);
}
