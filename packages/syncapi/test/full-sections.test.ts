// Full-state room sections (initial sync, full_state, a newly joined room, a left room) read
// for many rooms at once (storage hot-path fullSections) against the per-room reads they stand
// in for: the same section under every kind of filter, visibility and window.
import { applyMigrations, type Database } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSyncStore, SYNCAPI_SCHEMA, syncapiMigrations, type Executor, type SyncStore } from "../src/storage";
import { filterSchema, type Filter } from "../src/sync/filter";
import { buildRoomSection, fullSpec, type RoomWindow } from "../src/sync/room-section";

const U = "@u:full.test";
const S1 = "@s1:full.test";
const S2 = "@s2:full.test";
const viewer = { userId: U, deviceId: "DEV" };

describe("batched full-state sections", () => {
  let db: Database;
  let store: SyncStore;
  let depth = 0;

  /** Stores an event; a state event also becomes current state at its position. */
  async function ev(room: string, id: string, o: { type?: string; stateKey?: string; sender?: string; content?: Record<string, unknown>; membership?: string } = {}): Promise<number> {
    const type = o.type ?? "m.room.message";
    const stateKey = o.stateKey ?? null;
    const sender = o.sender ?? S1;
    const content = o.content ?? { body: id };
    const eventJson: Record<string, unknown> = { type, sender, content, room_id: room, origin_server_ts: 1000, ...(stateKey !== null ? { state_key: stateKey } : {}) };
    const pos = (await store.events.insertEvent({
      eventId: id, roomId: room, type, sender, stateKey, depth: ++depth, roomVersion: "12", eventJson, unsignedExtra: {},
      txnId: null, txnDeviceId: null, containsUrl: false, originKind: "new", excluded: false, relatesTo: null, relType: null,
    }))!;
    if (stateKey !== null) {
      const membership = type === "m.room.member" ? (o.membership ?? (content.membership as string)) : null;
      await store.state.applyStateDelta(room, pos, [{ type, stateKey, eventId: id, membership }], []);
    }
    await store.positions.bumpPosition("room", pos);
    return pos;
  }
  const member = (room: string, id: string, user: string, membership: string) =>
    ev(room, id, { type: "m.room.member", stateKey: user, sender: user, content: { membership } });

  const windows: { name: string; w: RoomWindow }[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyMigrations(db, SYNCAPI_SCHEMA, syncapiMigrations);
    store = createSyncStore(db.drizzle as unknown as Executor, db.sql);

    // !fa: shared history, many senders, a topic replaced, a state row whose event we do not hold, a reaction.
    await ev("!fa", "$fa-create", { type: "m.room.create", stateKey: "", content: { creator: S1 } });
    await member("!fa", "$fa-s1", S1, "join");
    await member("!fa", "$fa-u", U, "join");
    await ev("!fa", "$fa-hv", { type: "m.room.history_visibility", stateKey: "", content: { history_visibility: "shared" } });
    await ev("!fa", "$fa-topic1", { type: "m.room.topic", stateKey: "", content: { topic: "one" } });
    for (let i = 0; i < 6; i++) await ev("!fa", `$fa-m${i}`, { sender: i % 2 ? S1 : U });
    const faMid = await member("!fa", "$fa-s2", S2, "join");
    await member("!fa", "$fa-inv", "@i:full.test", "invite");
    const ghostPos = await ev("!fa", "$fa-m6", { sender: S2 });
    await store.state.applyStateDelta("!fa", ghostPos, [{ type: "m.room.name", stateKey: "", eventId: "$fa-ghost", membership: null }], []);
    await ev("!fa", "$fa-topic2", { type: "m.room.topic", stateKey: "", content: { topic: "two" } });
    await ev("!fa", "$fa-react", { type: "m.reaction", sender: S2 });
    for (let i = 7; i < 10; i++) await ev("!fa", `$fa-m${i}`, { sender: i % 2 ? S2 : S1 });

    // !fb: joined-only history; the user is invited and joins late, so the older messages are hidden.
    await ev("!fb", "$fb-create", { type: "m.room.create", stateKey: "", content: { creator: S1 } });
    await member("!fb", "$fb-s1", S1, "join");
    await ev("!fb", "$fb-hv", { type: "m.room.history_visibility", stateKey: "", content: { history_visibility: "joined" } });
    for (let i = 0; i < 3; i++) await ev("!fb", `$fb-old${i}`);
    await ev("!fb", "$fb-uinv", { type: "m.room.member", stateKey: U, sender: S1, content: { membership: "invite" } });
    await member("!fb", "$fb-u", U, "join");
    for (let i = 0; i < 2; i++) await ev("!fb", `$fb-new${i}`, { sender: S1 });

    // !fc: left by the user, with events after the leave the section must not show.
    await ev("!fc", "$fc-create", { type: "m.room.create", stateKey: "", content: { creator: S1 } });
    await member("!fc", "$fc-s1", S1, "join");
    await member("!fc", "$fc-u", U, "join");
    for (let i = 0; i < 4; i++) await ev("!fc", `$fc-m${i}`, { sender: S1 });
    const leave = await member("!fc", "$fc-uleave", U, "leave");
    await ev("!fc", "$fc-after", { sender: S1 });
    await ev("!fc", "$fc-topic", { type: "m.room.topic", stateKey: "", content: { topic: "later" } });

    // !fd: state only, and an excluded (soft-failed) event.
    await ev("!fd", "$fd-create", { type: "m.room.create", stateKey: "", content: { creator: U } });
    await member("!fd", "$fd-u", U, "join");

    const now = (await store.positions.currentPositions()).room;
    for (const room of ["!fa", "!fb", "!fd"]) windows.push({ name: `${room} initial`, w: { roomId: room, after: 0, upTo: now, fullState: true, initial: true, withSummary: true } });
    windows.push({ name: "!fa full_state since mid", w: { roomId: "!fa", after: faMid, upTo: now, fullState: true, initial: false, withSummary: true } });
    windows.push({ name: "!fa full_state since now", w: { roomId: "!fa", after: now, upTo: now, fullState: true, initial: false, withSummary: true } });
    windows.push({ name: "!fc left", w: { roomId: "!fc", after: 0, upTo: leave, fullState: true, initial: true } });
    windows.push({ name: "!fc left, full_state since", w: { roomId: "!fc", after: leave - 2, upTo: leave, fullState: true, initial: false } });
  });
  afterAll(() => db.close());

  const filters: Record<string, unknown>[] = [
    {},
    { room: { timeline: { limit: 0 } } },
    { room: { timeline: { limit: 1 } } },
    { room: { timeline: { limit: 3 } } },
    { room: { timeline: { limit: 4, not_types: ["m.reaction"] }, state: { types: ["m.room.*"], not_types: ["m.room.topic"] } } },
    { room: { timeline: { types: ["m.room.message"], limit: 2 }, state: { limit: 2 } } },
    { room: { timeline: { senders: [S2] } } },
    { room: { timeline: { not_rooms: ["!fa"], limit: 2 } } },
    { room: { timeline: { rooms: ["!fb"] } } },
    { room: { state: { lazy_load_members: true }, timeline: { limit: 2 } } },
    { room: { state: { lazy_load_members: true, include_redundant_members: true }, timeline: { limit: 5 } } },
    { room: { state: { lazy_load_members: true }, timeline: { limit: 0 } } },
    { event_fields: ["type", "content.body", "sender"], room: { timeline: { limit: 4 } } },
  ];

  it("gives every section the per-room reads give, with all rooms' reads in one statement", async () => {
    vi.spyOn(Date, "now").mockReturnValue(5000);
    try {
      for (const raw of filters) {
        const filter = filterSchema.parse(raw) as Filter;
        for (const withSummary of [true, false]) {
          const ws = windows.filter((x) => (x.w.withSummary === true) === withSummary);
          const reads = await store.hot.fullSections(
            ws.map(({ w }) => ({ roomId: w.roomId, after: w.initial ? 0 : w.after, upTo: w.upTo })).filter((x, i, all) => all.findIndex((y) => y.roomId === x.roomId) === i),
            fullSpec(viewer, filter, withSummary),
          );
          for (const { name, w } of ws) {
            // One statement reads one window per room: compare each window against a read of its own.
            const own = (await store.hot.fullSections([{ roomId: w.roomId, after: w.initial ? 0 : w.after, upTo: w.upTo }], fullSpec(viewer, filter, withSummary))).get(w.roomId)!;
            const expected = await buildRoomSection(store, viewer, w, filter);
            const got = await buildRoomSection(store, viewer, { ...w, full: own }, filter);
            expect(got, `${name} ${JSON.stringify(raw)}`).toEqual(expected);
            if (reads.get(w.roomId) && ws.find((x) => x.w.roomId === w.roomId) === ws.find((x) => x.name === name)) {
              expect(await buildRoomSection(store, viewer, { ...w, full: reads.get(w.roomId)! }, filter), `${name} batched`).toEqual(expected);
            }
          }
        }
      }
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("hides history by visibility and stops a left room at the leave", async () => {
    const f = filterSchema.parse({}) as Filter;
    const fb = windows.find((x) => x.name === "!fb initial")!.w;
    const full = (await store.hot.fullSections([{ roomId: "!fb", after: 0, upTo: fb.upTo }], fullSpec(viewer, f, true))).get("!fb")!;
    const s = await buildRoomSection(store, viewer, { ...fb, full }, f);
    const ids = s.timeline.events.map((e) => (e as { event_id?: string }).event_id);
    expect(ids).not.toContain("$fb-old0");
    expect(ids).toContain("$fb-new1");
    expect(s.summary).toEqual({ "m.heroes": [S1], "m.joined_member_count": 2, "m.invited_member_count": 0 });
    const fc = windows.find((x) => x.name === "!fc left")!.w;
    const left = (await store.hot.fullSections([{ roomId: "!fc", after: 0, upTo: fc.upTo }], fullSpec(viewer, f, false))).get("!fc")!;
    const ls = await buildRoomSection(store, viewer, { ...fc, full: left }, f);
    expect(ls.timeline.events.map((e) => (e as { event_id?: string }).event_id)).not.toContain("$fc-after");
    expect(ls.summary).toBeUndefined();
  });

  it("reads many rooms in one statement", async () => {
    const f = filterSchema.parse({}) as Filter;
    const now = (await store.positions.currentPositions()).room;
    const rooms = ["!fa", "!fb", "!fc", "!fd"];
    let statements = 0;
    const { observeQueries } = await import("@dendrite-ts/runtime");
    observeQueries(() => statements++);
    try {
      const reads = await store.hot.fullSections(rooms.map((roomId) => ({ roomId, after: 0, upTo: now })), fullSpec(viewer, f, true));
      expect([...reads.keys()].sort()).toEqual(rooms);
    } finally {
      observeQueries(undefined);
    }
    expect(statements).toBe(1);
  });
});
