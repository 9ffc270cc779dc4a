/**
 * State resolution on a large room: 30,000 state events (mostly members) and two forks with
 * 500 conflicted entries (399 display name races, 100 kicks racing display name changes, one
 * power levels change). Prints the median of several runs for v2 (room version 11) and v2.1
 * (room version 12), and peak memory. Prints figures only; never asserts on time.
 */
import { getRoomVersion, type RoomVersionRules } from "../src/room-versions";
import { resolveState, resolveStateSync } from "../src/state-res/index";

const MEMBERS = 30_000;
const CONFLICTS = 500;
const KICKS = 100;
const RUNS = 7;

type Ev = Record<string, unknown>;

function generateRoom(version: string) {
  const rules = getRoomVersion(version) as RoomVersionRules;
  const v12 = rules.eventFormat.roomIdFromCreateEvent;
  const createId = v12 ? `$${"C".repeat(43)}` : "$create";
  const roomId = v12 ? `!${"C".repeat(43)}` : "!bench:a.test";
  const alice = "@alice:a.test";
  const events = new Map<string, Ev>();
  let ts = 0;
  const withCreate = (ids: string[]) => (rules.eventFormat.createEventInAuthEvents ? [createId, ...ids] : ids);
  const add = (id: string, ev: Ev) => {
    events.set(id, { room_id: roomId, origin_server_ts: ++ts, prev_events: [], depth: ts, ...ev });
    return id;
  };
  const create: Ev = { type: "m.room.create", state_key: "", sender: alice, content: { room_version: version }, auth_events: [] };
  events.set(createId, v12 ? { ...create, origin_server_ts: ++ts, prev_events: [], depth: 1 } : { ...create, room_id: roomId, origin_server_ts: ++ts, prev_events: [], depth: 1 });
  const aliceJoin = add("$alice", { type: "m.room.member", state_key: alice, sender: alice, content: { membership: "join" }, auth_events: withCreate([]), prev_events: [createId] });
  const users = v12 ? {} : { [alice]: 100 };
  const pl0 = add("$pl0", { type: "m.room.power_levels", state_key: "", sender: alice, content: { users }, auth_events: withCreate([aliceJoin]) });
  const jr = add("$jr", { type: "m.room.join_rules", state_key: "", sender: alice, content: { join_rule: "public" }, auth_events: withCreate([aliceJoin, pl0]) });
  const base = new Map<string, string>([["create", createId], ["alice", aliceJoin], ["pl", pl0], ["jr", jr]]);
  const user = (i: number) => `@u${i}:s${i % 50}.test`;
  for (let i = 0; i < MEMBERS - 4; i++) {
    base.set(user(i), add(`$join${i}`, { type: "m.room.member", state_key: user(i), sender: user(i), content: { membership: "join" }, auth_events: withCreate([pl0, jr]) }));
  }

  // Fork A: a power levels change, kicks, display names; fork B: competing display names.
  const a = new Map(base);
  const b = new Map(base);
  const pl1 = add("$pl1", { type: "m.room.power_levels", state_key: "", sender: alice, content: { users, kick: 40 }, auth_events: withCreate([aliceJoin, pl0]) });
  a.set("pl", pl1);
  for (let i = 0; i < CONFLICTS - 1; i++) {
    const u = user(i);
    const own = base.get(u) as string;
    if (i < KICKS) {
      a.set(u, add(`$kick${i}`, { type: "m.room.member", state_key: u, sender: alice, content: { membership: "leave" }, auth_events: withCreate([aliceJoin, pl1, own]) }));
    } else {
      a.set(u, add(`$nameA${i}`, { type: "m.room.member", state_key: u, sender: u, content: { membership: "join", displayname: "A" }, auth_events: withCreate([pl0, jr, own]) }));
    }
    b.set(u, add(`$nameB${i}`, { type: "m.room.member", state_key: u, sender: u, content: { membership: "join", displayname: "B" }, auth_events: withCreate([pl0, jr, own]) }));
  }
  return { events, sets: [[...a.values()], [...b.values()]], rules };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] as number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

for (const version of ["11", "12"]) {
  const { events, sets, rules } = generateRoom(version);
  const core: number[] = [];
  const full: number[] = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    size = resolveStateSync({ rules, stateSets: sets, getEvent: (id) => events.get(id) }).length;
    core.push(performance.now() - t);
    t = performance.now();
    await resolveState(version, sets, (id) => events.get(id));
    full.push(performance.now() - t);
  }
  console.log(
    `state-res ${rules.stateRes.padEnd(4)} (room v${version}): ${events.size} events, ${sets[0]?.length} state entries, ` +
      `${CONFLICTS} conflicted keys → ${size} resolved; median of ${RUNS}: core ${median(core).toFixed(1)} ms, ` +
      `resolveState (loader included) ${median(full).toFixed(1)} ms`,
  );
}
const usage = process.resourceUsage();
console.log(`state-res peak memory: maxRSS ${mb(usage.maxRSS * 1024)}, heapUsed ${mb(process.memoryUsage().heapUsed)}`);
