// GET /_matrix/client/v1/rooms/{roomId}/hierarchy as a client browses a space: the tree depth
// first with each room's summary and m.space.child events, in the spec's child order; only rooms
// the user may see; suggested_only, max_depth, limit and paging; 403 for a root they cannot see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
});
afterAll(() => s.close());

const create = async (body: Record<string, unknown>) => (await call(s, "POST", "/createRoom", body, alice.token)).body.room_id as string;
const addChild = async (space: string, child: string, content: Record<string, unknown> = {}) =>
  expect((await call(s, "PUT", `/rooms/${enc(space)}/state/m.space.child/${enc(child)}`, { via: ["test.local"], ...content }, alice.token)).status).toBe(200);
const hierarchy = (user: User, roomId: string, query = "") => call(s, "GET", `/_matrix/client/v1/rooms/${enc(roomId)}/hierarchy${query ? `?${query}` : ""}`, undefined, user.token);
const ids = (res: { body: { rooms: Array<{ room_id: string }> } }) => res.body.rooms.map((r) => r.room_id);

describe("space hierarchy", () => {
  let space: string;
  let sub: string;
  let a: string;
  let b: string;
  let deep: string;
  let secret: string;

  beforeAll(async () => {
    space = await create({ preset: "public_chat", name: "Space", creation_content: { type: "m.space" } });
    sub = await create({ preset: "public_chat", name: "Sub", creation_content: { type: "m.space" } });
    a = await create({ preset: "public_chat", name: "A" });
    b = await create({ preset: "public_chat", name: "B", topic: "bee" });
    deep = await create({ preset: "public_chat", name: "Deep" });
    secret = await create({ preset: "private_chat", name: "Secret" });
    // Order: b ("aaa") before sub ("b") before the unordered a and secret, which go by timestamp.
    await addChild(space, b, { order: "aaa", suggested: true });
    await addChild(space, sub, { order: "b" });
    await addChild(space, a);
    await addChild(space, secret);
    await addChild(sub, deep);
    // No via: not a valid child, never followed.
    expect((await call(s, "PUT", `/rooms/${enc(space)}/state/m.space.child/${enc(deep)}`, {}, alice.token)).status).toBe(200);
  });

  it("walks depth first in the spec's order, with summaries and children_state", async () => {
    const res = await hierarchy(alice, space);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([space, b, sub, deep, a, secret]);
    const root = res.body.rooms[0];
    expect(root).toMatchObject({ room_id: space, name: "Space", room_type: "m.space", join_rule: "public", num_joined_members: 1 });
    expect(root.children_state.map((c: any) => c.state_key)).toEqual([b, sub, a, secret]);
    for (const c of root.children_state) expect(Object.keys(c).sort()).toEqual(["content", "origin_server_ts", "sender", "state_key", "type"]);
    expect(res.body.rooms.find((r: any) => r.room_id === b)).toMatchObject({ topic: "bee", children_state: [] });
    expect(res.body.next_batch).toBeUndefined();
  });

  it("leaves out rooms the user may not see; 403 when they cannot see the root", async () => {
    expect(ids(await hierarchy(bob, space))).toEqual([space, b, sub, deep, a]);
    expectError(await hierarchy(bob, secret), 403, "M_FORBIDDEN");
    expectError(await hierarchy(bob, "!unknown:test.local"), 403, "M_FORBIDDEN");
  });

  it("suggested_only, max_depth, limit and next_batch", async () => {
    expect(ids(await hierarchy(alice, space, "suggested_only=true"))).toEqual([space, b]);
    expect(ids(await hierarchy(alice, space, "max_depth=0"))).toEqual([space]);
    expect(ids(await hierarchy(alice, space, "max_depth=1"))).toEqual([space, b, sub, a, secret]);
    const first = await hierarchy(alice, space, "limit=2");
    expect(ids(first)).toEqual([space, b]);
    const second = await hierarchy(alice, space, `limit=2&from=${enc(first.body.next_batch)}`);
    expect(ids(second)).toEqual([sub, deep]);
    const third = await hierarchy(alice, space, `limit=2&from=${enc(second.body.next_batch)}`);
    expect(ids(third)).toEqual([a, secret]);
    expect(third.body.next_batch).toBeUndefined();
    // The walk's settings cannot change between pages; a made-up token is refused.
    expectError(await hierarchy(alice, space, `limit=2&max_depth=1&from=${enc(first.body.next_batch)}`), 400, "M_INVALID_PARAM");
    expectError(await hierarchy(alice, space, "from=nonsense"), 400, "M_INVALID_PARAM");
    expectError(await hierarchy(alice, space, "limit=0"), 400, "M_INVALID_PARAM");
    expectError(await hierarchy(alice, space, "max_depth=-1"), 400, "M_INVALID_PARAM");
    expectError(await hierarchy(alice, space, "suggested_only=maybe"), 400, "M_INVALID_PARAM");
  });
});
