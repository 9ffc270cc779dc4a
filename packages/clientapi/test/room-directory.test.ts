// The published room directory as a client uses it: a room's visibility, /publicRooms (GET and
// POST), and listing a world_readable room's aliases from outside.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ok } from "../src/call";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
let admin: User;
beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  const made = await ok(s.userapi.createAccount({ body: { localpart: "admin", password: "pw-admin", isAdmin: true, login: {} } }));
  admin = { userId: made.userId, token: made.accessToken!, deviceId: made.deviceId!, password: "pw-admin" };
});
afterAll(() => s.close());

const visibilityOf = (roomId: string) => `/directory/list/room/${enc(roomId)}`;

describe("directory visibility", () => {
  it("reads without a token; a room's members with power (or an admin) change it; others get 403", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    expect((await call(s, "GET", visibilityOf(roomId))).body).toEqual({ visibility: "private" });
    expect((await call(s, "PUT", visibilityOf(roomId), { visibility: "public" }, alice.token)).body).toEqual({});
    expect((await call(s, "GET", visibilityOf(roomId))).body).toEqual({ visibility: "public" });

    // Bob outside, then joined without power: refused, and nothing changes.
    expectError(await call(s, "PUT", visibilityOf(roomId), { visibility: "private" }, bob.token), 403, "M_FORBIDDEN");
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    expectError(await call(s, "PUT", visibilityOf(roomId), { visibility: "private" }, bob.token), 403, "M_FORBIDDEN");
    expect((await call(s, "GET", visibilityOf(roomId))).body).toEqual({ visibility: "public" });

    // An admin who is not in the room may; visibility defaults to public.
    expect((await call(s, "PUT", visibilityOf(roomId), { visibility: "private" }, admin.token)).status).toBe(200);
    expect((await call(s, "GET", visibilityOf(roomId))).body).toEqual({ visibility: "private" });
    expect((await call(s, "PUT", visibilityOf(roomId), {}, alice.token)).status).toBe(200);
    expect((await call(s, "GET", visibilityOf(roomId))).body).toEqual({ visibility: "public" });
    await call(s, "PUT", visibilityOf(roomId), { visibility: "private" }, alice.token);
  });

  it("an unknown room is 404; bad input is 400; no token is 401", async () => {
    expectError(await call(s, "GET", visibilityOf("!nowhere:test.local")), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", visibilityOf("!nowhere:test.local"), { visibility: "public" }, alice.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", visibilityOf("not-a-room")), 400, "M_INVALID_PARAM");
    const roomId = (await call(s, "POST", "/createRoom", {}, alice.token)).body.room_id;
    expectError(await call(s, "PUT", visibilityOf(roomId), { visibility: "shown" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", visibilityOf(roomId), { visibility: "public" }), 401, "M_MISSING_TOKEN");
    expect((await call(s, "GET", visibilityOf(roomId))).body).toEqual({ visibility: "private" });
  });
});

describe("/publicRooms", () => {
  let big: string;
  let small: string;
  let space: string;
  beforeAll(async () => {
    const create = async (body: Record<string, unknown>) => (await call(s, "POST", "/createRoom", { preset: "public_chat", visibility: "public", ...body }, alice.token)).body.room_id;
    big = await create({
      name: "Cheese",
      topic: "Tasty tasty cheese",
      room_alias_name: "cheese",
      initial_state: [
        { type: "m.room.avatar", content: { url: "mxc://test.local/brie" } },
        { type: "m.room.history_visibility", content: { history_visibility: "world_readable" } },
        { type: "m.room.guest_access", content: { guest_access: "can_join" } },
      ],
    });
    small = await create({ name: "Bread" });
    space = await create({ name: "Bakery", creation_content: { type: "m.space" } });
    await create({ name: "Secret", visibility: "private" });
    await call(s, "POST", `/join/${enc(big)}`, {}, bob.token);
  });

  it("GET lists published rooms without a token, most members first, with the spec's fields", async () => {
    const res = await call(s, "GET", "/publicRooms");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      chunk: [
        {
          room_id: big,
          num_joined_members: 2,
          world_readable: true,
          guest_can_join: true,
          join_rule: "public",
          name: "Cheese",
          topic: "Tasty tasty cheese",
          canonical_alias: "#cheese:test.local",
          avatar_url: "mxc://test.local/brie",
        },
        // Equal member counts: in room ID order.
        ...[
          { room_id: small, num_joined_members: 1, world_readable: false, guest_can_join: false, join_rule: "public", name: "Bread" },
          { room_id: space, num_joined_members: 1, world_readable: false, guest_can_join: false, join_rule: "public", name: "Bakery", room_type: "m.space" },
        ].sort((a, b) => (a.room_id < b.room_id ? -1 : 1)),
      ],
      total_room_count_estimate: 3,
    });
    // A token, if given, must be good.
    expectError(await call(s, "GET", "/publicRooms", undefined, "nonsense"), 401, "M_UNKNOWN_TOKEN");
  });

  it("pages with limit and since, both ways", async () => {
    const p1 = (await call(s, "GET", "/publicRooms?limit=2")).body;
    expect(p1.chunk.map((r: { room_id: string }) => r.room_id)[0]).toBe(big);
    expect(p1.chunk).toHaveLength(2);
    expect(p1.prev_batch).toBeUndefined();
    expect(p1.total_room_count_estimate).toBe(3);
    const p2 = (await call(s, "GET", `/publicRooms?limit=2&since=${enc(p1.next_batch)}`)).body;
    expect(p2.chunk).toHaveLength(1);
    expect(p2.next_batch).toBeUndefined();
    const seen = [...p1.chunk, ...p2.chunk].map((r: { room_id: string }) => r.room_id);
    expect(new Set(seen)).toEqual(new Set([big, small, space]));
    const back = (await call(s, "POST", "/publicRooms", { limit: 2, since: p2.prev_batch }, alice.token)).body;
    expect(back.chunk).toEqual(p1.chunk);
    expectError(await call(s, "GET", "/publicRooms?since=bogus"), 400, "M_INVALID_PARAM");
    // An empty since is the first page, in the query and in the body.
    expect((await call(s, "GET", "/publicRooms?limit=2&since=")).body.chunk).toEqual(p1.chunk);
    expect((await call(s, "POST", "/publicRooms", { limit: 2, since: "" }, alice.token)).body.chunk).toEqual(p1.chunk);
    expectError(await call(s, "GET", "/publicRooms?limit=-1"), 400, "M_INVALID_PARAM");
    expectError(await call(s, "GET", "/publicRooms?limit=ten"), 400, "M_INVALID_PARAM");
  });

  it("POST filters by search term and room type, and needs a token", async () => {
    const ids = async (body: Record<string, unknown>) => (await call(s, "POST", "/publicRooms", body, alice.token)).body.chunk.map((r: { room_id: string }) => r.room_id);
    expect(await ids({ filter: { generic_search_term: "tasty" } })).toEqual([big]);
    expect(await ids({ filter: { generic_search_term: "BREAD" } })).toEqual([small]);
    expect(await ids({ filter: { generic_search_term: "#cheese:" } })).toEqual([big]);
    expect(await ids({ filter: { room_types: ["m.space"] } })).toEqual([space]);
    expect(await ids({ filter: { room_types: [null] } })).not.toContain(space);
    expect(await ids({ filter: { generic_search_term: "ba", room_types: [null, "m.space"] } })).toEqual([space]);
    const filtered = (await call(s, "POST", "/publicRooms", { filter: { generic_search_term: "zzz" } }, alice.token)).body;
    expect(filtered).toEqual({ chunk: [], total_room_count_estimate: 0 });
    expectError(await call(s, "POST", "/publicRooms", {}), 401, "M_MISSING_TOKEN");
  });

  it("POST networks: all networks are ours; a third-party network has no rooms; both at once is 400", async () => {
    expect((await call(s, "POST", "/publicRooms", { include_all_networks: true }, alice.token)).body.chunk).toHaveLength(3);
    expect((await call(s, "POST", "/publicRooms", { third_party_instance_id: "irc" }, alice.token)).body).toEqual({ chunk: [], total_room_count_estimate: 0 });
    expectError(await call(s, "POST", "/publicRooms", { include_all_networks: true, third_party_instance_id: "irc" }, alice.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "POST", "/publicRooms", { limit: "5" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "POST", "/publicRooms", { filter: { room_types: [5] } }, alice.token), 400, "M_BAD_JSON");
  });

  it("server: ours is the local directory; another one cannot be reached without federation", async () => {
    expect((await call(s, "GET", "/publicRooms?server=test.local")).body.chunk).toHaveLength(3);
    expectError(await call(s, "GET", "/publicRooms?server=elsewhere.org"), 404, "M_UNRECOGNIZED");
    expectError(await call(s, "POST", "/publicRooms?server=elsewhere.org", {}, alice.token), 404, "M_UNRECOGNIZED");
    expectError(await call(s, "GET", "/publicRooms?server=not%20a%20server"), 400, "M_INVALID_PARAM");
  });

  it("unpublishing takes a room out of the listing", async () => {
    await call(s, "PUT", visibilityOf(small), { visibility: "private" }, alice.token);
    const ids = (await call(s, "GET", "/publicRooms")).body.chunk.map((r: { room_id: string }) => r.room_id);
    expect(ids).toEqual(expect.arrayContaining([big, space]));
    expect(ids).not.toContain(small);
    await call(s, "PUT", visibilityOf(small), { visibility: "public" }, alice.token);
  });
});

describe("GET /rooms/{roomId}/aliases", () => {
  it("answers anyone when the room's history is world_readable, members only otherwise", async () => {
    const open = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_alias_name: "open", initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "world_readable" } }] }, alice.token)).body.room_id;
    const shut = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_alias_name: "shut" }, alice.token)).body.room_id;
    const outsider = await register(s, "outsider");
    expect((await call(s, "GET", `/rooms/${enc(open)}/aliases`, undefined, outsider.token)).body).toEqual({ aliases: ["#open:test.local"] });
    expectError(await call(s, "GET", `/rooms/${enc(shut)}/aliases`, undefined, outsider.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc("!nowhere:test.local")}/aliases`, undefined, outsider.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc(open)}/aliases`), 401, "M_MISSING_TOKEN");
  });
});
