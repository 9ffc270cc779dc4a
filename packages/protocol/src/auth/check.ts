/**
 * The authorization rules of every room version, in the spec's order. `checkEventAuth` is the
 * public entry; rule functions throw `NotAllowed` and it turns them into a result naming the rule.
 */
import { canonicalJson, CanonicalJsonError } from "../canonical-json";
import { getRoomVersion, type RoomVersionRules } from "../room-versions";
import { checkAliases } from "./aliases";
import { buildAuthState, type AuthState } from "./auth-state";
import { checkCreate, checkRoomIdFromCreate } from "./create";
import { makeContext, powerOf, type AuthCheckOptions, type AuthContext } from "./context";
import { domainOf, eventContent, eventRefs, eventRoomId, eventSender, eventStateKey, eventType } from "./event-fields";
import { checkMember } from "./member";
import { isNotAllowed, reject, type AuthRule } from "./not-allowed";
import { requiredPowerLevelForEvent } from "./power-levels";
import { checkPowerLevels } from "./power-levels-change";
import { checkRedaction } from "./redaction";
import { checkThirdPartyInviteEvent } from "./third-party-invite";

export type AuthResult = { allowed: true } | { allowed: false; reason: string; rule: AuthRule };

/**
 * Whether `event` passes the authorization rules of `roomVersion` against `authEvents` — the
 * state entries the rules consult (see `authEventStateKeys`; in v12 also the create event,
 * which the room ID implies). An unknown room version is not allowed.
 */
export function checkEventAuth(event: object, authEvents: readonly object[], roomVersion: string, options?: AuthCheckOptions): AuthResult {
  const rules = getRoomVersion(roomVersion);
  if (rules === undefined) {
    return { allowed: false, rule: "room_version.unknown", reason: `room_version.unknown: room version ${JSON.stringify(roomVersion)} is not supported` };
  }
  return checkEventAuthWithRules(event, authEvents, rules, options);
}

export function checkEventAuthWithRules(
  event: object,
  authEvents: readonly object[],
  rules: RoomVersionRules,
  options: AuthCheckOptions = {},
): AuthResult {
  try {
    authorize(event, authEvents, rules, options);
    return { allowed: true };
  } catch (e) {
    if (isNotAllowed(e)) return { allowed: false, rule: e.rule, reason: `${e.rule}: ${e.message}` };
    throw e;
  }
}

/** Throws `NotAllowed` at the first rule the event breaks. */
export function authorize(event: object, authEvents: readonly object[], rules: RoomVersionRules, options: AuthCheckOptions = {}): void {
  const auth = rules.authorization;
  if (auth.strictCanonicalJson) checkStrictJson(event);
  if (eventType(event) === "m.room.create") return checkCreate(event, rules);

  if (rules.eventFormat.roomIdFromCreateEvent) {
    const create = authEvents.find((ev) => eventType(ev) === "m.room.create" && eventStateKey(ev) === "");
    checkRoomIdFromCreate(event, create, create === undefined ? undefined : options.eventId?.(create) || undefined);
  }
  const state = buildAuthState(event, authEvents, rules);
  checkAuthEventsCreate(event, state, rules);
  const ctx = makeContext(event, state, rules, options);

  checkFederate(ctx);
  if (auth.specialCaseAliases && eventType(event) === "m.room.aliases") return checkAliases(ctx);
  if (eventType(event) === "m.room.member") return checkMember(ctx);

  if (state.membership(ctx.sender) !== "join") reject("sender.not_joined", `${String(ctx.sender)} is not joined`);
  if (eventType(event) === "m.room.third_party_invite") return checkThirdPartyInviteEvent(ctx);

  checkRequiredPowerLevel(ctx);
  const stateKey = eventStateKey(event);
  if (stateKey?.startsWith("@") && stateKey !== ctx.sender) {
    reject("state_key.user_mismatch", `state_key ${stateKey} is a user other than the sender`);
  }
  if (eventType(event) === "m.room.power_levels") return checkPowerLevels(ctx);
  if (auth.redactionInAuthRules && eventType(event) === "m.room.redaction") return checkRedaction(ctx);
}

/** v1–11 need the create event among the auth events; v12 must not list it in `auth_events`. */
function checkAuthEventsCreate(event: object, state: AuthState, rules: RoomVersionRules): void {
  if (rules.eventFormat.createEventInAuthEvents) {
    if (state.create === undefined) reject("auth_events.no_create", "no m.room.create among the auth events");
    return;
  }
  const roomId = eventRoomId(event);
  const createId = roomId === undefined ? undefined : `$${roomId.slice(1)}`;
  if (createId !== undefined && eventRefs(event, "auth_events").includes(createId)) {
    reject("auth_events.create_selected", "auth_events lists the create event");
  }
}

/** `m.federate: false` keeps the room to the creator's server. */
function checkFederate(ctx: AuthContext): void {
  const create = ctx.state.create;
  if (create === undefined || eventContent(create)["m.federate"] !== false) return;
  const own = domainOf(eventSender(create));
  if (domainOf(ctx.sender) !== own) reject("federate.sender_domain", `room is not federated beyond ${String(own)}`);
}

function checkRequiredPowerLevel(ctx: AuthContext): void {
  const type = eventType(ctx.event) ?? "";
  const required = requiredPowerLevelForEvent(type, eventStateKey(ctx.event), ctx.state.powerLevels, ctx.rules.authorization);
  const level = powerOf(ctx, ctx.sender);
  if (required > level) reject("event.insufficient_power", `${type} needs ${required}, ${String(ctx.sender)} has ${level}`);
}

/** v6+: content must be canonical JSON (no floats, integers within ±(2**53 − 1)). */
function checkStrictJson(event: object): void {
  try {
    canonicalJson(eventContent(event));
  } catch (e) {
    if (e instanceof CanonicalJsonError) reject("event.not_canonical_json", e.message);
    throw e;
  }
}
