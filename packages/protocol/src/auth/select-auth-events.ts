/**
 * Auth events selection (server-server API, "Auth events selection"): which state entries an
 * event's `auth_events` should be. State resolution uses this for iterative auth checks and
 * `checkEventAuth` uses it to reject auth events that do not belong.
 */
import type { RoomVersionRules } from "../room-versions";
import { eventContent, eventSender, eventStateKey, eventType, isObject, membershipOf, stringField } from "./event-fields";

export type StateKeyPair = [type: string, stateKey: string];

/**
 * The (type, state_key) pairs to select from the room state for `event`, without duplicates:
 * the create event (not in v12, where the room ID implies it), power levels, the sender's
 * membership and, for member events, the target's membership, the join rules (join, invite,
 * knock), the third-party invite named by `signed.token`, and the authorising user of a
 * restricted join. The create event itself has no auth events.
 */
export function authEventStateKeys(
  event: object,
  rules: Pick<RoomVersionRules, "eventFormat" | "authorization">,
): StateKeyPair[] {
  const type = eventType(event);
  if (type === "m.room.create") return [];

  const keys: StateKeyPair[] = [];
  const add = (t: string, k: string): void => {
    if (!keys.some(([kt, kk]) => kt === t && kk === k)) keys.push([t, k]);
  };

  if (rules.eventFormat.createEventInAuthEvents) add("m.room.create", "");
  add("m.room.power_levels", "");
  const sender = eventSender(event);
  if (sender !== undefined) add("m.room.member", sender);

  if (type === "m.room.member") {
    const target = eventStateKey(event);
    if (target !== undefined) add("m.room.member", target);
    const membership = membershipOf(event);
    if (membership === "join" || membership === "invite" || membership === "knock") add("m.room.join_rules", "");
    if (membership === "invite") {
      const tpi = eventContent(event).third_party_invite;
      const token = isObject(tpi) ? stringField(tpi.signed, "token") : undefined;
      if (token !== undefined) add("m.room.third_party_invite", token);
    }
    if (membership === "join" && rules.authorization.restrictedJoins) {
      const via = stringField(eventContent(event), "join_authorised_via_users_server");
      if (via !== undefined) add("m.room.member", via);
    }
  }
  return keys;
}
