// Server-side search (client-server API, "Server Side Search"; search.yaml), driven as a client
// would over POST /search: matching on body, name and topic, keys, filters, ordering, context,
// groups and paging; only what the user may see (rooms they are or were in, history
// visibility, never redacted text or ignored users' events); bad requests are 400s.
import { applyMigrations } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncStore, SYNCAPI_SCHEMA, syncapiMigrations, type Executor } from "../src/storage";
import { createRoom, join, send, setState, startHarness, type Harness, type User } from "./harness";

describe("POST /search (room_events)", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;
  let eve: User;
  let lobby: string;
  const ids: Record<string, string> = {};

  const search = async (user: User, criteria: Record<string, unknown>, nextBatch?: string) => {
    const path = `/_matrix/client/v3/search${nextBatch !== undefined ? `?next_batch=${encodeURIComponent(nextBatch)}` : ""}`;
    return h.post(user, path, { search_categories: { room_events: criteria } });
  };
  const found = async (user: User, criteria: Record<string, unknown>): Promise<string[]> => {
    const res = await search(user, criteria);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.search_categories.room_events.results.map((r: any) => r.result.event_id);
  };

  beforeAll(async () => {
    h = await startHarness();
    [alice, bob, carol, eve] = await Promise.all([h.user("alice"), h.user("bob"), h.user("carol"), h.user("eve")]);
    lobby = await createRoom(h, alice, { name: "Rocket club", initialState: [{ type: "m.room.topic", content: { topic: "Everything about propulsion" } }] });
    await h.waitForEvents(await join(h, bob, lobby), await join(h, carol, lobby));
    ids.martians = await send(h, alice, lobby, "The martians have landed");
    ids.martianFood = await send(h, bob, lobby, "Martian food is great");
    ids.hello = await send(h, carol, lobby, "hello world");
    ids.launch = await send(h, bob, lobby, "launch at dawn, martians watching");
    await h.waitForEvents(...Object.values(ids));
  });
  afterAll(() => h.close());

  it("finds messages by the words of their body (stemmed), room names and topics, with rank, count and highlights", async () => {
    const res = await search(alice, { search_term: "martian" });
    expect(res.status).toBe(200);
    const cat = res.body.search_categories.room_events;
    expect(new Set(cat.results.map((r: any) => r.result.event_id))).toEqual(new Set([ids.martians, ids.martianFood, ids.launch]));
    expect(cat.count).toBe(3);
    expect(cat.highlights.sort()).toEqual(["martian", "martians"]);
    for (const r of cat.results) {
      expect(typeof r.rank).toBe("number");
      expect(r.result).toMatchObject({ room_id: lobby, type: "m.room.message" });
      expect(r.context).toEqual({});
    }
    // Best first: ranks never rise.
    const ranks = cat.results.map((r: any) => r.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);

    const name = (await search(alice, { search_term: "rocket" })).body.search_categories.room_events.results;
    expect(name.map((r: any) => r.result.type)).toEqual(["m.room.name"]);
    const topic = (await search(alice, { search_term: "propulsion" })).body.search_categories.room_events.results;
    expect(topic.map((r: any) => r.result.type)).toEqual(["m.room.topic"]);
    expect(await found(alice, { search_term: "nothing-like-this" })).toEqual([]);
  });

  it("keys narrow what is searched: content.body alone finds no room name", async () => {
    expect(await found(alice, { search_term: "rocket", keys: ["content.body"] })).toEqual([]);
    expect((await found(alice, { search_term: "rocket", keys: ["content.name"] })).length).toBe(1);
    expect(await found(alice, { search_term: "propulsion", keys: ["content.body", "content.name"] })).toEqual([]);
  });

  it("filters by rooms, senders and limit; order_by recent is newest first", async () => {
    expect(await found(alice, { search_term: "martians", order_by: "recent" })).toEqual([ids.launch, ids.martianFood, ids.martians]);
    expect(await found(alice, { search_term: "martians", order_by: "recent", filter: { senders: [bob.userId] } })).toEqual([ids.launch, ids.martianFood]);
    expect(await found(alice, { search_term: "martians", order_by: "recent", filter: { not_senders: [bob.userId] } })).toEqual([ids.martians]);
    expect(await found(alice, { search_term: "martians", filter: { rooms: ["!elsewhere:test.local"] } })).toEqual([]);
    expect(await found(alice, { search_term: "martians", filter: { not_rooms: [lobby] } })).toEqual([]);
    const limited = await search(alice, { search_term: "martians", order_by: "recent", filter: { limit: 1 } });
    expect(limited.body.search_categories.room_events.results.map((r: any) => r.result.event_id)).toEqual([ids.launch]);
    expect(limited.body.search_categories.room_events.count).toBe(3);
    expect(typeof limited.body.search_categories.room_events.next_batch).toBe("string");
  });

  for (const order of ["rank", "recent"] as const) {
    it(`next_batch pages through every result once (order_by ${order})`, async () => {
      const room = await createRoom(h, alice);
      const sent: string[] = [];
      for (let i = 0; i < 7; i++) sent.push(await send(h, alice, room, `pagination ${order} word ${"again ".repeat(i)}`));
      await h.waitForEvents(...sent);
      const seen: string[] = [];
      let batch: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await search(alice, { search_term: `pagination ${order}`, order_by: order, filter: { limit: 3 } }, batch);
        expect(res.status).toBe(200);
        const cat = res.body.search_categories.room_events;
        seen.push(...cat.results.map((r: any) => r.result.event_id));
        batch = cat.next_batch;
        if (!batch) break;
      }
      expect(batch).toBeUndefined();
      expect(seen.length).toBe(7);
      expect(new Set(seen)).toEqual(new Set(sent));
      if (order === "recent") expect(seen).toEqual([...sent].reverse());
    });
  }

  it("event_context gives events before and after with tokens, and profile_info as of the last of them", async () => {
    const room = await createRoom(h, alice);
    await h.waitForEvents(await join(h, bob, room));
    await h.waitForEvents(await setState(h, bob, room, "m.room.member", { membership: "join", displayname: "Bobby", avatar_url: "mxc://test.local/bob" }, bob.userId));
    const before = await send(h, alice, room, "first line");
    const hit = await send(h, bob, room, "the zeppelin arrives");
    const after1 = await send(h, alice, room, "second line");
    const after2 = await send(h, alice, room, "third line");
    await h.waitForEvents(before, hit, after1, after2);
    const res = await search(alice, { search_term: "zeppelin", event_context: { before_limit: 1, after_limit: 2, include_profile: true } });
    const [result] = res.body.search_categories.room_events.results;
    expect(result.result.event_id).toBe(hit);
    expect(result.context.events_before.map((e: any) => e.event_id)).toEqual([before]);
    expect(result.context.events_after.map((e: any) => e.event_id)).toEqual([after1, after2]);
    expect(result.context.profile_info[bob.userId]).toEqual({ displayname: "Bobby", avatar_url: "mxc://test.local/bob" });
    expect(Object.keys(result.context.profile_info).sort()).toEqual([alice.userId, bob.userId].sort());
    // start/end are /messages tokens around the context.
    const older = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages`, { dir: "b", from: result.context.start, limit: 1 });
    expect(older.status).toBe(200);
    expect(older.body.chunk[0].event_id).not.toBe(before);
    const newer = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages`, { dir: "f", from: result.context.end, limit: 5 });
    expect(newer.body.chunk).toEqual([]);
  });

  it("include_state gives the state of each room in the results", async () => {
    const res = await search(alice, { search_term: "martians", include_state: true });
    const state = res.body.search_categories.room_events.state;
    expect(Object.keys(state)).toEqual([lobby]);
    expect(state[lobby].find((e: any) => e.type === "m.room.name").content.name).toBe("Rocket club");
  });

  it("groupings by room_id and sender list each group's results; a group's next_batch pages within it", async () => {
    const res = await search(alice, {
      search_term: "martians",
      order_by: "recent",
      filter: { limit: 2 },
      groupings: { group_by: [{ key: "room_id" }, { key: "sender" }] },
    });
    const groups = res.body.search_categories.room_events.groups;
    expect(groups.room_id[lobby]).toMatchObject({ results: [ids.launch, ids.martianFood], order: 1 });
    expect(groups.sender[bob.userId]).toMatchObject({ results: [ids.launch, ids.martianFood], order: 1 });
    // Bob has no more martians past this page; alice and the room do.
    expect(groups.sender[bob.userId].next_batch).toBeUndefined();
    expect(typeof groups.room_id[lobby].next_batch).toBe("string");
    const more = await search(alice, { search_term: "martians", order_by: "recent", filter: { limit: 2 } }, groups.room_id[lobby].next_batch);
    expect(more.body.search_categories.room_events.results.map((r: any) => r.result.event_id)).toEqual([ids.martians]);
    expect(more.body.search_categories.room_events.next_batch).toBeUndefined();
  });

  it("never returns events of rooms the user is not in, nor, in a 'joined' room, from before their join or after their leave", async () => {
    const secret = await createRoom(h, alice, { preset: "private_chat" });
    const hidden = await send(h, alice, secret, "quasar secret plans");
    await h.waitForEvents(hidden);
    expect(await found(alice, { search_term: "quasar" })).toEqual([hidden]);
    expect(await found(eve, { search_term: "quasar" })).toEqual([]);

    const club = await createRoom(h, alice, { initialState: [{ type: "m.room.history_visibility", content: { history_visibility: "joined" } }] });
    const beforeJoin = await send(h, alice, club, "nebula before eve");
    await h.waitForEvents(beforeJoin, await join(h, eve, club));
    const whileIn = await send(h, alice, club, "nebula while eve is here");
    await h.waitForEvents(whileIn);
    expect(await found(alice, { search_term: "nebula", order_by: "recent" })).toEqual([whileIn, beforeJoin]);
    expect(await found(eve, { search_term: "nebula" })).toEqual([whileIn]);

    const { body: left } = await h.roomserver.performLeave({ body: { userId: eve.userId, roomId: club } });
    const afterLeave = await send(h, alice, club, "nebula after eve left");
    await h.waitForEvents(left.eventId, afterLeave);
    // A left room is still searched (spec: "including those that they have left"), up to the leave.
    expect(await found(eve, { search_term: "nebula" })).toEqual([whileIn]);
    expect(await found(alice, { search_term: "nebula" })).toContain(afterLeave);
  });

  it("never finds a redacted event by its former text", async () => {
    const gone = await send(h, alice, lobby, "comet sighting at noon");
    await h.waitForEvents(gone);
    expect(await found(bob, { search_term: "comet" })).toEqual([gone]);
    const { body } = await h.roomserver.performSendEvent({ body: { sender: alice.userId, roomId: lobby, type: "m.room.redaction", content: { redacts: gone }, redacts: gone } });
    await h.waitForEvents(body.eventId);
    for (let i = 0; i < 200 && (await found(bob, { search_term: "comet" })).length > 0; i++) await new Promise((r) => setTimeout(r, 15));
    expect(await found(bob, { search_term: "comet" })).toEqual([]);
    expect(await found(bob, { search_term: "sighting", keys: ["content.body"] })).toEqual([]);
  });

  it("never returns events of users the searcher ignores", async () => {
    const fromCarol = await send(h, carol, lobby, "asteroid belt mining");
    const fromBob = await send(h, bob, lobby, "asteroid field ahead");
    await h.waitForEvents(fromCarol, fromBob);
    expect(new Set(await found(alice, { search_term: "asteroid" }))).toEqual(new Set([fromCarol, fromBob]));
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "m.ignored_user_list", content: { ignored_users: { [carol.userId]: {} } } } });
    await h.waitForAccountData(alice.userId, "m.ignored_user_list", (c) => carol.userId in (c.ignored_users ?? {}));
    expect(await found(alice, { search_term: "asteroid" })).toEqual([fromBob]);
    // Nor in the context around a result.
    const ctx = (await search(alice, { search_term: "asteroid", event_context: { before_limit: 3, after_limit: 0 } })).body.search_categories.room_events.results[0].context;
    expect(ctx.events_before.map((e: any) => e.sender)).not.toContain(carol.userId);
    expect(await found(bob, { search_term: "asteroid" })).toContain(fromCarol);
  });

  it("refuses bad requests with a Matrix error and never a 500", async () => {
    const post = (body: unknown) => h.post(alice, "/_matrix/client/v3/search", body);
    const cases: [unknown, number, string][] = [
      [{ search_categories: { people: { search_term: "x" } } }, 400, "M_INVALID_PARAM"],
      [{ search_categories: { room_events: { search_term: 5 } } }, 400, "M_BAD_JSON"],
      [{ search_categories: { room_events: {} } }, 400, "M_MISSING_PARAM"],
      [{}, 400, "M_MISSING_PARAM"],
      [{ search_categories: {} }, 400, "M_MISSING_PARAM"],
      [{ search_categories: { room_events: { search_term: "x", order_by: "oldest" } } }, 400, "M_BAD_JSON"],
      [{ search_categories: { room_events: { search_term: "x", keys: ["content.url"] } } }, 400, "M_BAD_JSON"],
      [{ search_categories: { room_events: { search_term: "x", filter: { limit: "ten" } } } }, 400, "M_BAD_JSON"],
      [{ search_categories: { room_events: { search_term: "x", filter: { rooms: ["not-a-room"] } } } }, 400, "M_BAD_JSON"],
      [{ search_categories: { room_events: { search_term: "x", event_context: { before_limit: -1 } } } }, 400, "M_BAD_JSON"],
      [{ search_categories: { room_events: { search_term: "x", groupings: { group_by: [{ key: "type" }] } } } }, 400, "M_BAD_JSON"],
      [[1, 2], 400, "M_NOT_JSON"],
    ];
    for (const [body, status, errcode] of cases) {
      const res = await post(body);
      expect({ body, status: res.status, errcode: res.body?.errcode }).toEqual({ body, status, errcode });
    }
    const notJson = await h.server.inject({ method: "POST", url: "/_matrix/client/v3/search", payload: "{not json", headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" } });
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body).errcode).toBe("M_NOT_JSON");
    for (const garbage of ["garbage", "", Buffer.from('{"o":"rank","k":"1; DROP","p":1}').toString("base64url")]) {
      const res = await search(alice, { search_term: "martians" }, garbage);
      expect([res.status, res.body.errcode]).toEqual([400, "M_INVALID_PARAM"]);
    }
    // A recent-ordered token used with rank ordering.
    const recent = await search(alice, { search_term: "martians", order_by: "recent", filter: { limit: 1 } });
    const mixed = await search(alice, { search_term: "martians" }, recent.body.search_categories.room_events.next_batch);
    expect([mixed.status, mixed.body.errcode]).toEqual([400, "M_INVALID_PARAM"]);
    // Odd search terms are searched, not errors.
    for (const term of ["", "the", "\"unclosed", "a & b | !c :* <->", "-", "ünïcødé 🚀"]) expect((await search(alice, { search_term: term })).status).toBe(200);
    const anon = await h.server.inject({ method: "POST", url: "/_matrix/client/v3/search", payload: { search_categories: { room_events: { search_term: "x" } } } });
    expect(anon.statusCode).toBe(401);
  });
});

describe("the search index migration", () => {
  it("indexes the events already stored when it runs, and the index is what a search uses", async () => {
    const db = await openTestDatabase();
    try {
      const upTo = syncapiMigrations.findIndex((m) => m.id === "0005_search");
      await applyMigrations(db, SYNCAPI_SCHEMA, syncapiMigrations.slice(0, upTo));
      const store = createSyncStore(db.drizzle as unknown as Executor);
      const row = (eventId: string, type: string, content: Record<string, unknown>) => ({
        eventId, roomId: "!r:test.local", type, sender: "@a:test.local", stateKey: type === "m.room.message" ? null : "", depth: 1, roomVersion: "12",
        eventJson: { type, content, origin_server_ts: 1 }, unsignedExtra: {}, txnId: null, txnDeviceId: null, containsUrl: false,
        originKind: "new" as const, excluded: false, relatesTo: null, relType: null,
      });
      await store.events.insertEvent(row("$old", "m.room.message", { body: "an old galaxy" }));
      await store.events.insertEvent(row("$topic", "m.room.topic", { "m.topic": { "m.text": [{ mimetype: "text/html", body: "<b>html</b>" }, { body: "plain galaxy" }] } }));
      await store.events.insertEvent(row("$num", "m.room.message", { body: 42 }));
      expect((await applyMigrations(db, SYNCAPI_SCHEMA, syncapiMigrations.slice(0, upTo + 1))).applied).toEqual(["0005_search"]);
      const q = { term: "galaxy", keys: ["content.body", "content.topic"] as const, rooms: [{ roomId: "!r:test.local" }], order: "recent" as const };
      expect((await store.search.searchEvents({ ...q, keys: [...q.keys] }, 10)).map((h) => h.event.eventId).sort()).toEqual(["$old", "$topic"]);
      await db.sql`SET enable_seqscan = off`;
      const plan = await db.sql.unsafe(`EXPLAIN SELECT pos FROM syncapi.output_room_events WHERE type IN ('m.room.message') AND to_tsvector('english', syncapi.search_text(type, event_json)) @@ websearch_to_tsquery('english', 'galaxy')`);
      expect(plan.map((r) => Object.values(r)[0]).join("\n")).toContain("output_room_events_search");
    } finally {
      await db.close();
    }
  });
});
