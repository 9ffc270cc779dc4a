/**
 * The room state an auth check consults, indexed by (type, state_key) from the given auth
 * events. Building it applies the "considering the event's auth_events" rules that can be judged
 * from the objects themselves: duplicates, entries the selection would not pick, a missing create
 * event, entries from another room. (Whether an entry was itself rejected is the caller's to know.)
 */
import type { RoomVersionRules } from "../room-versions";
import { eventRoomId, eventStateKey, eventType, membershipOf } from "./event-fields";
import { reject } from "./not-allowed";
import { authEventStateKeys } from "./select-auth-events";

export interface AuthState {
  readonly create: object | undefined;
  readonly powerLevels: object | undefined;
  readonly joinRules: object | undefined;
  /** How many state entries were given. */
  readonly size: number;
  get(type: string, stateKey: string): object | undefined;
  member(userId: string | undefined): object | undefined;
  /** A user's membership, "leave" when there is no member event. */
  membership(userId: string | undefined): string;
}

const key = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

export function buildAuthState(event: object, authEvents: readonly object[], rules: RoomVersionRules): AuthState {
  const wanted = new Set(authEventStateKeys(event, rules).map(([t, k]) => key(t, k)));
  // v12 never selects the create event, but the rules still read it: callers pass it alongside.
  wanted.add(key("m.room.create", ""));
  const byKey = new Map<string, object>();
  const roomId = eventRoomId(event);

  for (const ev of authEvents) {
    const type = eventType(ev);
    const stateKey = eventStateKey(ev);
    if (type === undefined || stateKey === undefined) {
      reject("auth_events.unexpected", `auth event without type or state_key`);
    }
    const k = key(type, stateKey);
    if (byKey.has(k)) reject("auth_events.duplicate", `more than one ${type} event with state_key "${stateKey}"`);
    if (!wanted.has(k)) reject("auth_events.unexpected", `${type} "${stateKey}" is not selected for this event`);
    const evRoom = eventRoomId(ev);
    // v12 create events carry no room_id: the room ID check covers them instead.
    const exempt = type === "m.room.create" && rules.eventFormat.roomIdFromCreateEvent;
    if (!exempt && evRoom !== roomId) {
      reject("auth_events.wrong_room", `auth event ${type} "${stateKey}" is in ${String(evRoom)}, not ${String(roomId)}`);
    }
    byKey.set(k, ev);
  }

  const get = (type: string, stateKey: string): object | undefined => byKey.get(key(type, stateKey));
  const member = (userId: string | undefined): object | undefined =>
    userId === undefined ? undefined : get("m.room.member", userId);
  return {
    create: get("m.room.create", ""),
    powerLevels: get("m.room.power_levels", ""),
    joinRules: get("m.room.join_rules", ""),
    size: byKey.size,
    get,
    member,
    membership: (userId) => membershipOf(member(userId)) ?? "leave",
  };
}
