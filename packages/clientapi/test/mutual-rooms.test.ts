// GET /_matrix/client/v1/mutual_rooms as a client uses it: the rooms two users are both joined
// to, paged, and 400 for a bad user_id, one's own ID or a token it never gave out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";
import { MUTUAL_ROOMS_PAGE } from "../src/routing/mutual-rooms";

let s: TestServer;
let alice: User;
let bob: User;
let carol: User;
beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  carol = await register(s, "carol");
});
afterAll(() => s.close());

const mutual = (user: User, query: string) => call(s, "GET", `/_matrix/client/v1/mutual_rooms?${query}`, undefined, user.token);
const createRoom = async (user: User) => (await call(s, "POST", "/createRoom", { preset: "public_chat" }, user.token)).body.room_id as string;
const join = (user: User, roomId: string) => call(s, "POST", `/join/${enc(roomId)}`, {}, user.token);

describe("mutual rooms", () => {
  it("lists rooms both are joined to — not invites, not rooms left — and nothing for a stranger", async () => {
    const both1 = await createRoom(alice);
    const both2 = await createRoom(bob);
    const aliceOnly = await createRoom(alice);
    const left = await createRoom(alice);
    const invited = await createRoom(alice);
    for (const r of [both1, both2, left]) if (r !== both2) await join(bob, r);
    await join(alice, both2);
    await call(s, "POST", `/rooms/${enc(left)}/leave`, {}, bob.token);
    await call(s, "POST", `/rooms/${enc(invited)}/invite`, { user_id: bob.userId }, alice.token);

    const r = await mutual(alice, `user_id=${enc(bob.userId)}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ joined: [both1, both2].sort(), count: 2 });
    expect((await mutual(bob, `user_id=${enc(alice.userId)}`)).body.joined).toEqual([both1, both2].sort());
    expect((await mutual(alice, `user_id=${enc(carol.userId)}`)).body).toEqual({ joined: [], count: 0 });
    // A user nobody knows: an empty list, as the spec asks.
    expect((await mutual(alice, `user_id=${enc("@nobody:test.local")}`)).body).toEqual({ joined: [], count: 0 });
    expect(aliceOnly).toBeDefined();
  });

  it("pages by next_batch, each room once, count the total", async () => {
    const rooms: string[] = [];
    for (let i = 0; i < MUTUAL_ROOMS_PAGE + 3; i++) {
      const r = await createRoom(carol);
      await join(bob, r);
      rooms.push(r);
    }
    const first = await mutual(carol, `user_id=${enc(bob.userId)}`);
    expect(first.body.count).toBe(rooms.length);
    expect(first.body.joined).toHaveLength(MUTUAL_ROOMS_PAGE);
    expect(first.body.next_batch).toEqual(expect.any(String));
    const second = await mutual(carol, `user_id=${enc(bob.userId)}&from=${enc(first.body.next_batch)}`);
    expect(second.body.next_batch).toBeUndefined();
    expect([...first.body.joined, ...second.body.joined]).toEqual([...rooms].sort());
  }, 60_000);

  it("400 for a missing or malformed user_id, one's own, a foreign token; 401 without a token", async () => {
    expectError(await mutual(alice, ""), 400, "M_MISSING_PARAM");
    expectError(await mutual(alice, "user_id=alice"), 400, "M_INVALID_PARAM");
    expectError(await mutual(alice, `user_id=${enc("@:test.local")}`), 400, "M_INVALID_PARAM");
    expectError(await mutual(alice, `user_id=${enc(alice.userId)}`), 400, "M_INVALID_PARAM");
    expectError(await mutual(alice, `user_id=${enc(bob.userId)}&user_id=${enc(carol.userId)}`), 400, "M_INVALID_PARAM");
    expectError(await mutual(alice, `user_id=${enc(bob.userId)}&from=s12_3`), 400, "M_INVALID_PARAM");
    expectError(await call(s, "GET", `/_matrix/client/v1/mutual_rooms?user_id=${enc(bob.userId)}`), 401, "M_MISSING_TOKEN");
  });
});
