// Filters: upload and read back (own user only), then used by ID or inline in /sync.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, setState, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

describe("filters", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  const path = (u: User) => `/_matrix/client/v3/user/${encodeURIComponent(u.userId)}/filter`;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(() => h.close());

  it("POST returns a filter ID that GET reads back", async () => {
    const filter = { room: { timeline: { limit: 5, types: ["m.room.message"] } }, event_fields: ["type", "content"] };
    const res = await h.post(alice, path(alice), filter);
    expect(res.status).toBe(200);
    expect(res.body.filter_id).toMatch(/^\d+$/);
    const got = await h.get(alice, `${path(alice)}/${res.body.filter_id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(filter);
  });

  it("another user's filters are 403 both ways; unknown IDs are 404", async () => {
    const { body } = await h.post(alice, path(alice), { room: {} });
    const read = await h.get(bob, `${path(alice)}/${body.filter_id}`);
    expect(read.status).toBe(403);
    expect(read.body.errcode).toBe("M_FORBIDDEN");
    const write = await h.post(bob, path(alice), {});
    expect(write.status).toBe(403);
    // Bob's own namespace does not hold Alice's filter.
    expect((await h.get(bob, `${path(bob)}/${body.filter_id}`)).body.errcode).toBe("M_NOT_FOUND");
    expect((await h.get(alice, `${path(alice)}/424242`)).status).toBe(404);
    expect((await h.get(alice, `${path(alice)}/not-a-number`)).status).toBe(404);
  });

  it("an invalid filter upload is 400 M_BAD_JSON", async () => {
    const res = await h.post(alice, path(alice), { room: { timeline: { limit: -1 } } });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe("M_BAD_JSON");
    expect((await h.post(alice, path(alice), { room: { state: { types: "m.room.name" } } })).body.errcode).toBe("M_BAD_JSON");
  });

  it("sender and room lists take only user and room IDs: anything else is 400 where the filter is given, and stores nothing", async () => {
    const bad = [{ room: { timeline: { senders: ["bob"] } } }, { presence: { not_senders: ["!room:example.org"] } }, { room: { rooms: ["#alias:example.org"] } }, { room: { state: { not_rooms: ["@bob:example.org"] } } }];
    for (const filter of bad) {
      const up = await h.post(alice, path(alice), filter);
      expect(up.status, JSON.stringify(filter)).toBe(400);
      expect(up.body.errcode).toBe("M_BAD_JSON");
      const inline = await h.get(alice, "/_matrix/client/v3/sync", { filter: JSON.stringify(filter), timeout: 0 });
      expect(inline.status, JSON.stringify(filter)).toBe(400);
      expect(inline.body.errcode).toBe("M_INVALID_PARAM");
    }
    const roomId = await createRoom(h, alice);
    const messages = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", filter: JSON.stringify({ senders: ["alice"] }) });
    expect(messages.status).toBe(400);
    expect(messages.body.errcode).toBe("M_INVALID_PARAM");
    expect((await h.post(alice, path(alice), { room: { rooms: [roomId], timeline: { senders: [bob.userId] } } })).status).toBe(200);
  });

  it("a filter stored before ID lists were checked still serves /sync: its entries of the wrong kind match nothing", async () => {
    const roomId = await createRoom(h, alice);
    const id = await send(h, alice, roomId, "from alice");
    await h.waitForEvents(id);
    // As an older server stored it (the upload check is newer than the row).
    const [row] = await h.db.sql<{ filter_id: string }[]>`
      INSERT INTO syncapi.filters (user_id, filter) VALUES (${alice.userId}, ${JSON.stringify({ room: { timeline: { not_senders: ["alice"] } } })}::jsonb)
      RETURNING filter_id`;
    const res = await h.get(alice, "/_matrix/client/v3/sync", { filter: String(row!.filter_id), timeout: 0 });
    expect(res.status).toBe(200);
    expect(timelineIds(res.body, roomId)).toContain(id);
  });

  it("a stored filter and the same filter inline shape /sync alike", async () => {
    const roomId = await createRoom(h, alice);
    const ids = [await send(h, alice, roomId, "one"), await send(h, alice, roomId, "two", { type: "org.example.custom", content: { x: 1 } })];
    await h.waitForEvents(...ids);
    const filter = { room: { timeline: { limit: 10, types: ["m.room.mess*"] }, state: { types: ["m.room.create"] } } };
    const { body } = await h.post(alice, path(alice), filter);
    for (const f of [body.filter_id, JSON.stringify(filter)]) {
      const res = await sync(h, alice, { filter: f });
      expect(timelineIds(res, roomId)).toEqual([ids[0]]);
      expect(res.rooms.join[roomId].state.events.map((e: any) => e.type)).toEqual(["m.room.create"]);
    }
    // not_types and room lists.
    const notTypes = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { not_types: ["m.room.message"] } } }) });
    expect(timelineIds(notTypes, roomId)).toContain(ids[1]);
    expect(timelineIds(notTypes, roomId)).not.toContain(ids[0]);
    const noRooms = await sync(h, alice, { filter: JSON.stringify({ room: { not_rooms: [roomId] } }) });
    expect(noRooms.rooms.join[roomId]).toBeUndefined();
  });

  it("a room whose news is all filtered out is left out, and a long-poll keeps waiting", async () => {
    const roomId = await createRoom(h, alice);
    const { body: j } = await h.roomserver.performJoin({ body: { userId: bob.userId, roomIdOrAlias: roomId } });
    await h.waitForEvents(j.eventId);
    const filter = JSON.stringify({ room: { timeline: { not_senders: [bob.userId] } } });
    const before = await sync(h, alice, { filter });
    const started = Date.now();
    const pending = sync(h, alice, { since: before.next_batch, filter, timeout: 600 });
    const fromBob = await send(h, bob, roomId, "filtered away");
    const res = await pending;
    expect(res.rooms.join[roomId]).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    await h.waitForEvents(fromBob);
    const unfiltered = await sync(h, alice, { since: before.next_batch });
    expect(timelineIds(unfiltered, roomId)).toEqual([fromBob]);
  });

  it("event_fields keeps only the listed paths", async () => {
    const roomId = await createRoom(h, alice);
    const id = await send(h, alice, roomId, "just the body");
    await h.waitForEvents(id);
    const res = await sync(h, alice, { filter: JSON.stringify({ event_fields: ["type", "content.body", "event_id"], room: { timeline: { limit: 1 } } }) });
    expect(res.rooms.join[roomId].timeline.events).toEqual([{ type: "m.room.message", content: { body: "just the body" }, event_id: id }]);
  });

  it("event_fields leaves out a parent whose listed child the event lacks", async () => {
    const roomId = await createRoom(h, alice);
    const topic = await setState(h, alice, roomId, "m.room.topic", { topic: "no body here" });
    await h.waitForEvents(topic);
    const res = await sync(h, alice, { filter: JSON.stringify({ event_fields: ["type", "content.body"], room: { timeline: { limit: 1 } } }) });
    expect(res.rooms.join[roomId].timeline.events).toEqual([{ type: "m.room.topic" }]);
  });

  it("event_fields reads a backslash escaped by a backslash, as it reads an escaped dot", async () => {
    const roomId = await createRoom(h, alice);
    const id = await send(h, alice, roomId, "", { type: "org.example.paths", content: { "m\\foo": 1, "a\\": { b: 2 }, "a.b": 3, "a\\x": 4 } });
    await h.waitForEvents(id);
    const fields = async (event_fields: string[]) =>
      (await sync(h, alice, { filter: JSON.stringify({ event_fields, room: { rooms: [roomId], timeline: { limit: 1 } } }) })).rooms.join[roomId].timeline.events[0];
    // The appendix's example: `content.m\\foo` names the content property m\foo.
    expect(await fields(["content.m\\\\foo"])).toEqual({ content: { "m\\foo": 1 } });
    // `a\\.b`: an escaped backslash, then a separator.
    expect(await fields(["content.a\\\\.b"])).toEqual({ content: { "a\\": { b: 2 } } });
    expect(await fields(["content.a\\.b"])).toEqual({ content: { "a.b": 3 } });
    // Any other escape is a literal backslash.
    expect(await fields(["content.a\\x"])).toEqual({ content: { "a\\x": 4 } });
  });

  it("event_format federation gives timeline and state events as the PDUs we hold", async () => {
    const roomId = await createRoom(h, alice);
    const id = await send(h, alice, roomId, "as federated");
    await h.waitForEvents(id);
    const [pdu] = (await h.roomserver.queryEventsById({ body: { eventIds: [id] } })).body.events;
    const res = await sync(h, alice, { filter: JSON.stringify({ event_format: "federation", room: { timeline: { limit: 1 } } }) });
    const room = res.rooms.join[roomId];
    const [ev] = room.timeline.events;
    const { unsigned: _u, ...pduFields } = pdu as Record<string, unknown>;
    expect(ev).toMatchObject({ ...pduFields, event_id: id });
    for (const key of ["auth_events", "prev_events", "depth", "hashes", "signatures"]) expect(ev, key).toHaveProperty(key);
    expect(ev.unsigned.age).toEqual(expect.any(Number));
    const create = room.state.events.find((e: any) => e.type === "m.room.create");
    expect(create).toHaveProperty("auth_events");
    expect(create).toHaveProperty("signatures");
    // The default is the client format: no federation fields.
    const plain = (await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 1 } } }) })).rooms.join[roomId].timeline.events[0];
    expect(plain).not.toHaveProperty("auth_events");
  });

  it("account_data filters apply to global account data", async () => {
    await h.userapi.setAccountData({ body: { userId: bob.userId, type: "org.example.a", content: {} } });
    await h.userapi.setAccountData({ body: { userId: bob.userId, type: "org.example.b", content: {} } });
    await h.waitForAccountData(bob.userId, "org.example.b");
    const res = await sync(h, bob, { filter: JSON.stringify({ account_data: { types: ["org.example.b"] } }) });
    expect(res.account_data.events.map((e: any) => e.type)).toEqual(["org.example.b"]);
  });
  it("the state filter's rooms, not_rooms and contains_url leave state out, as its types do", async () => {
    const shown = await createRoom(h, alice, { name: "shown" });
    const hidden = await createRoom(h, alice, { name: "hidden" });
    const avatar = await setState(h, alice, shown, "m.room.avatar", { url: "mxc://example.org/a" });
    await h.waitForEvents(avatar, await send(h, alice, hidden, "after the name"));
    const stateTypes = async (state: Record<string, unknown>) => {
      const res = await sync(h, alice, { filter: JSON.stringify({ room: { rooms: [shown, hidden], timeline: { limit: 1 }, state } }) });
      return [shown, hidden].map((r) => res.rooms.join[r].state.events.map((e: any) => e.type).sort());
    };
    expect(await stateTypes({ types: ["m.room.name"], not_rooms: [hidden] })).toEqual([["m.room.name"], []]);
    expect(await stateTypes({ types: ["m.room.name"], rooms: [hidden] })).toEqual([[], ["m.room.name"]]);
    // Only the avatar carries a content.url; the avatar is the timeline's event, not state.
    expect(await stateTypes({ contains_url: true })).toEqual([[], []]);
    expect((await stateTypes({ contains_url: false }))[0]).toContain("m.room.name");
  });
});
