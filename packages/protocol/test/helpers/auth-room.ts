/**
 * A tiny room builder for auth-rule tests: create, power levels, join rules and the creator's
 * join, in the event format of the chosen room version. State is set directly (no auth), so
 * each test arranges exactly the state a rule needs and checks one event against it.
 */
import { expect } from "vitest";
import { authEventStateKeys, checkEventAuthWithRules, type AuthCheckOptions, type AuthResult, type AuthRule } from "../../src/auth";
import { getRoomVersion, SUPPORTED_ROOM_VERSIONS, type RoomVersionRules } from "../../src/room-versions";

export const ALICE = "@alice:a.example";
export const BOB = "@bob:b.example";
export const CAROL = "@carol:c.example";
export const DAVE = "@dave:a.example";

export type Preset = "public_chat" | "private_chat" | "knock" | "restricted" | "knock_restricted";
export type Json = Record<string, unknown>;

/** Versions whose rules have a feature (e.g. `v => v.authorization.knocking`). */
export function versionsWhere(pred: (r: RoomVersionRules) => boolean): string[] {
  return SUPPORTED_ROOM_VERSIONS.filter((v) => pred(rulesOf(v)));
}
export const ALL_VERSIONS = SUPPORTED_ROOM_VERSIONS;

export function rulesOf(version: string): RoomVersionRules {
  const rules = getRoomVersion(version);
  if (rules === undefined) throw new Error(`unknown room version ${version}`);
  return rules;
}

const JOIN_RULE: Record<Preset, string> = {
  public_chat: "public",
  private_chat: "invite",
  knock: "knock",
  restricted: "restricted",
  knock_restricted: "knock_restricted",
};

// A stand-in for a v12 room ID (the create event's reference hash); tests of the hash itself
// pass an `eventId` hook.
const V12_ROOM_ID = "!" + "A".repeat(40) + "xyz";

export interface TestRoom {
  readonly version: string;
  readonly rules: RoomVersionRules;
  readonly roomId: string;
  readonly state: Map<string, Json>;
  readonly create: Json;
  /** An event in this room's format: room ID, prev/auth refs, depth, v1/v2 event_id. */
  event(fields: Json): Json;
  member(target: string, membership: string, fields?: { sender?: string; content?: Json }): Json;
  /** Puts an event into the state directly (no auth). */
  set(ev: Json): Json;
  /** Replaces the power levels content (users are merged over the preset's). */
  setPowerLevels(content: Json): Json;
  /** The selected auth events for `ev`, plus the create event in v12 (the room ID implies it). */
  authFor(ev: object): Json[];
  check(ev: object, options?: AuthCheckOptions): AuthResult;
}

let counter = 0;

export function roomFactory(opts: { version: string; preset?: Preset; creator?: string }): TestRoom {
  const { version } = opts;
  const rules = rulesOf(version);
  const creator = opts.creator ?? ALICE;
  const v1Ids = rules.eventFormat.eventIdFormat === "v1";
  const roomId = rules.eventFormat.roomIdFromCreateEvent ? V12_ROOM_ID : "!room:a.example";
  const state = new Map<string, Json>();
  const key = (t: unknown, k: unknown): string => `${String(t)}|${String(k)}`;

  const ref = (id: string): unknown => (rules.eventFormat.eventRefsWithHashes ? [id, { sha256: "aGFzaA" }] : id);
  const event = (fields: Json): Json => {
    counter += 1;
    const ev: Json = {
      room_id: roomId,
      origin_server_ts: 1_700_000_000_000 + counter,
      depth: counter,
      prev_events: [ref(v1Ids ? `$prev${counter}:a.example` : `$prev${counter}`)],
      auth_events: [],
      content: {},
      ...fields,
    };
    if (v1Ids && ev.event_id === undefined) ev.event_id = `$e${counter}:${String(ev.sender).split(":")[1]}`;
    return ev;
  };
  const set = (ev: Json): Json => {
    state.set(key(ev.type, ev.state_key), ev);
    return ev;
  };

  const createContent: Json = { room_version: version };
  if (rules.authorization.creatorFromContent) createContent.creator = creator;
  const create = event({ type: "m.room.create", state_key: "", sender: creator, content: createContent, prev_events: [] });
  if (rules.eventFormat.roomIdFromCreateEvent) delete create.room_id;
  if (v1Ids) create.event_id = "$create:a.example";
  set(create);

  const member = (target: string, membership: string, fields: { sender?: string; content?: Json } = {}): Json =>
    event({ type: "m.room.member", state_key: target, sender: fields.sender ?? target, content: { membership, ...fields.content } });
  set(member(creator, "join"));

  // v12 creators have infinite power and must not be listed in `users`.
  const baseUsers: Json = rules.authorization.privilegedCreators ? {} : { [creator]: 100 };
  const powerLevels = (content: Json): Json =>
    set(event({ type: "m.room.power_levels", state_key: "", sender: creator, content: { users: baseUsers, ...content } }));
  powerLevels({});
  set(event({ type: "m.room.join_rules", state_key: "", sender: creator, content: { join_rule: JOIN_RULE[opts.preset ?? "public_chat"] } }));

  const authFor = (ev: object): Json[] => {
    const picked = authEventStateKeys(ev, rules)
      .map(([t, k]) => state.get(key(t, k)))
      .filter((e): e is Json => e !== undefined);
    if (!rules.eventFormat.createEventInAuthEvents && (ev as Json).type !== "m.room.create") {
      picked.push(state.get(key("m.room.create", "")) ?? create);
    }
    return picked;
  };

  return {
    version,
    rules,
    roomId,
    state,
    create,
    event,
    member,
    set,
    setPowerLevels: (content) => powerLevels({ ...content, users: { ...baseUsers, ...(content.users as Json | undefined) } }),
    authFor,
    check: (ev, options) => checkEventAuthWithRules(ev, authFor(ev), rules, options),
  };
}

export function expectAllowed(result: AuthResult): void {
  expect(result.allowed ? "allowed" : result.reason).toBe("allowed");
}

export function expectNotAllowed(result: AuthResult, rule: AuthRule): void {
  expect(result.allowed ? "allowed" : result.rule).toBe(rule);
  if (!result.allowed) expect(result.reason.startsWith(`${rule}: `)).toBe(true);
}
