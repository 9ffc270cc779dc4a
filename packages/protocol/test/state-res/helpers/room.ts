/**
 * Builds rooms for state resolution tests: every event gets a readable ID, `auth_events`
 * chosen by the spec's auth events selection from its branch's state, `prev_events` and a
 * depth. Branches fork from a state and evolve independently, like servers that cannot see
 * each other's events.
 */
import { authEventStateKeys } from "../../../src/auth/select-auth-events";
import { getRoomVersion, type RoomVersionRules } from "../../../src/room-versions";
import { resolveState, type ResolveStateOptions } from "../../../src/state-res/index";

export const ALICE = "@alice:a.test";
export const BOB = "@bob:b.test";
export const CAROL = "@carol:c.test";
export const EVE = "@eve:e.test";

export type Ev = Record<string, unknown>;

export interface SendOptions {
  /** Readable name; the ID is derived from it so tie-breaks by ID are predictable. */
  readonly id: string;
  readonly type: string;
  readonly sender: string;
  readonly stateKey?: string;
  readonly content?: Record<string, unknown>;
  readonly ts?: number;
  /** Override the selected auth events (IDs). */
  readonly authEvents?: readonly string[];
}

const key = (type: string, sk: string) => `${type}\u0000${sk}`;

export class Room {
  readonly rules: RoomVersionRules;
  readonly events = new Map<string, Ev>();
  readonly roomId: string;
  private clock = 0;

  constructor(readonly version: string, readonly creator = ALICE) {
    const rules = getRoomVersion(version);
    if (rules === undefined) throw new Error(`unknown room version ${version}`);
    this.rules = rules;
    const createContent: Record<string, unknown> = { room_version: version };
    if (rules.authorization.creatorFromContent) createContent.creator = creator;
    // v12: the room ID is the create event's ID with `!`; the auth rules want 43 URL-safe chars.
    const createId = rules.eventFormat.roomIdFromCreateEvent ? `$${"CREATE".padEnd(43, "0")}` : this.idFor("CREATE");
    this.roomId = rules.eventFormat.roomIdFromCreateEvent ? `!${createId.slice(1)}` : "!room:a.test";
    const create: Ev = {
      type: "m.room.create",
      state_key: "",
      sender: creator,
      content: createContent,
      origin_server_ts: this.tick(),
      depth: 1,
      prev_events: [],
      auth_events: [],
    };
    if (!rules.eventFormat.roomIdFromCreateEvent) create.room_id = this.roomId;
    if (rules.eventFormat.eventIdFormat === "v1") create.event_id = createId;
    this.events.set(createId, create);
    this.createId = createId;
  }

  readonly createId: string;

  /** v1/v2 IDs carry a server name; later ones are opaque hashes (any string does for tests). */
  idFor(name: string): string {
    return this.rules.eventFormat.eventIdFormat === "v1" ? `$${name}:a.test` : `$${name}`;
  }

  tick(): number {
    return (this.clock += 10);
  }

  /** A branch starting at the create event. */
  root(): Branch {
    const b = new Branch(this, new Map(), [this.createId], 1);
    b.state.set(key("m.room.create", ""), this.createId);
    return b;
  }

  /** The standard start: create, creator join, power levels, join rules (public by default). */
  start(powerLevelUsers: Record<string, number> = { [ALICE]: 100 }, joinRule = "public", extraPl: Record<string, unknown> = {}): Branch {
    const b = this.root();
    const creator = (this.events.get(this.createId) as Ev).sender as string;
    b.member("JOIN_CREATOR", creator, "join");
    b.send({ id: "PL0", type: "m.room.power_levels", sender: creator, stateKey: "", content: { users: powerLevelUsers, ...extraPl } });
    b.send({ id: "JR0", type: "m.room.join_rules", sender: creator, stateKey: "", content: { join_rule: joinRule } });
    return b;
  }

  async resolve(sets: readonly (Branch | string[])[], options: ResolveStateOptions & { version?: string } = {}): Promise<string[]> {
    const ids = sets.map((s) => (Array.isArray(s) ? s : s.stateIds()));
    return resolveState(options.version ?? this.version, ids, (id) => this.events.get(id), options);
  }

  /** Resolves and records every auth check: event name → undefined (allowed) or the reason. */
  async resolveTraced(sets: readonly (Branch | string[])[], options: ResolveStateOptions & { version?: string } = {}) {
    const checks = new Map<string, string | undefined>();
    const onCheck = (id: string, reason: string | undefined) => checks.set(shortName(id), reason);
    const state = named(this, await this.resolve(sets, { ...options, onCheck }));
    return { state, checks };
  }
}

export class Branch {
  constructor(
    readonly room: Room,
    readonly state: Map<string, string>,
    private heads: string[],
    private depth: number,
  ) {}

  fork(): Branch {
    return new Branch(this.room, new Map(this.state), [...this.heads], this.depth);
  }

  stateIds(): string[] {
    return [...this.state.values()];
  }

  /** The state event for (type, stateKey) on this branch, if any. */
  get(type: string, stateKey = ""): string | undefined {
    return this.state.get(key(type, stateKey));
  }

  /** Puts an existing event into this branch's state without sending anything (a branch that learnt of it). */
  adopt(id: string): this {
    const ev = this.room.events.get(id) as Ev;
    this.state.set(key(String(ev.type), String(ev.state_key)), id);
    return this;
  }

  send(o: SendOptions): string {
    const { room } = this;
    const rules = room.rules;
    const id = room.idFor(o.id);
    if (room.events.has(id)) throw new Error(`duplicate event name ${o.id}`);
    const content = { ...o.content };
    if (o.type === "m.room.power_levels" && rules.authorization.privilegedCreators) {
      // v12 creators have infinite power and must not be listed in `users`.
      const { [room.creator]: _creator, ...users } = (content.users ?? {}) as Record<string, number>;
      content.users = users;
    }
    const ev: Ev = { type: o.type, sender: o.sender, content, room_id: room.roomId };
    if (o.stateKey !== undefined) ev.state_key = o.stateKey;
    const authIds =
      o.authEvents ??
      authEventStateKeys(ev, rules)
        .map(([t, k]) => this.state.get(key(t, k)))
        .filter((x): x is string => x !== undefined);
    const ref = (x: string) => (rules.eventFormat.eventRefsWithHashes ? [x, { sha256: "" }] : x);
    ev.auth_events = authIds.map(ref);
    ev.prev_events = this.heads.map(ref);
    ev.depth = ++this.depth;
    ev.origin_server_ts = o.ts ?? room.tick();
    if (rules.eventFormat.eventIdFormat === "v1") ev.event_id = id;
    room.events.set(id, ev);
    this.heads = [id];
    if (o.stateKey !== undefined) this.state.set(key(o.type, o.stateKey), id);
    return id;
  }

  member(name: string, target: string, membership: string, sender = target, extra: Partial<SendOptions> = {}): string {
    return this.send({ id: name, type: "m.room.member", sender, stateKey: target, content: { membership }, ...extra });
  }

  powerLevels(name: string, sender: string, users: Record<string, number>, extra: Partial<SendOptions> & { more?: Record<string, unknown> } = {}): string {
    return this.send({ id: name, type: "m.room.power_levels", sender, stateKey: "", content: { users, ...extra.more }, ...extra });
  }

  topic(name: string, sender: string, topic: string, extra: Partial<SendOptions> = {}): string {
    return this.send({ id: name, type: "m.room.topic", sender, stateKey: "", content: { topic }, ...extra });
  }

  joinRules(name: string, sender: string, rule: string, extra: Partial<SendOptions> = {}): string {
    return this.send({ id: name, type: "m.room.join_rules", sender, stateKey: "", content: { join_rule: rule }, ...extra });
  }
}

/** The resolved state as a readable map: "type|state_key" → event name (ID without sigil/server). */
export function named(room: Room, ids: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const ev = room.events.get(id) as Ev;
    out[`${String(ev.type)}|${String(ev.state_key)}`] = shortName(id);
  }
  return out;
}

export function shortName(id: string): string {
  return id.replace(/^\$/, "").replace(/:a\.test$/, "");
}
