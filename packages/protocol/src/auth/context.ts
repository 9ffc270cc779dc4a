/**
 * What every rule function receives: the event, the state it is judged against, the room
 * version's rules and the caller's hooks, plus the power level reads the rules repeat.
 */
import type { RoomVersionRules } from "../room-versions";
import type { AuthState } from "./auth-state";
import { eventSender } from "./event-fields";
import { namedPowerLevel, userPowerLevel, type NamedPowerLevel } from "./power-levels";

/** Work the auth rules cannot do alone (hashing, key lookups); each has a safe default. */
export interface AuthCheckOptions {
  /**
   * Computes an event's ID (the reference hash, `computeEventId`, for v3+). With it, v12 rule 2
   * compares the room ID with the create event's hash, and v3–11 recognise the create event in a
   * creator's first join's `prev_events`. Without it v12 checks only the room ID's format.
   * Answer `undefined` (or "") for an event it cannot name.
   */
  eventId?: (event: object) => string | undefined;
  /**
   * Whether `event` carries a valid signature from `serverName` (v8+ `join_authorised_via_users_server`).
   * Default: a signature from that server is present — the key ring verifies every signature on receipt.
   */
  isSignedBy?: (event: object, serverName: string) => boolean;
  /**
   * Whether `signed` (a third-party invite's `signed` block) carries a valid ed25519 signature by
   * `publicKey` (unpadded base64). Default: canonical JSON + node:crypto ed25519.
   */
  verifyThirdPartySigned?: (signed: Record<string, unknown>, publicKey: string) => boolean;
}

export interface AuthContext {
  readonly event: object;
  readonly sender: string | undefined;
  readonly state: AuthState;
  readonly rules: RoomVersionRules;
  readonly options: AuthCheckOptions;
}

export function makeContext(event: object, state: AuthState, rules: RoomVersionRules, options: AuthCheckOptions): AuthContext {
  return { event, sender: eventSender(event), state, rules, options };
}

/** A user's current power level in the state under judgement. */
export function powerOf(ctx: AuthContext, userId: string | undefined): number {
  if (userId === undefined) return 0;
  return userPowerLevel(userId, ctx.state.powerLevels, ctx.state.create, ctx.rules.authorization);
}

/** `invite`, `kick`, `ban`, … in the state under judgement. */
export function levelFor(ctx: AuthContext, key: NamedPowerLevel): number {
  return namedPowerLevel(ctx.state.powerLevels, key, ctx.rules.authorization);
}
