// GET /_matrix/client/v1/room_summary/{roomIdOrAlias} as a client uses it: the summary of a room
// by ID or alias, who may see it (with and without a token), and 404 for everyone else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

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

const summary = (roomIdOrAlias: string, token?: string) => call(s, "GET", `/_matrix/client/v1/room_summary/${enc(roomIdOrAlias)}`, undefined, token);
const createRoom = async (body: Record<string, unknown>, user = alice) => (await call(s, "POST", "/createRoom", body, user.token)).body.room_id as string;

describe("room summaries", () => {
  it("a public room: its fields by ID or alias, to anyone; membership only with a token", async () => {
    const roomId = await createRoom({
      preset: "public_chat",
      name: "Cheese",
      topic: "Tasty cheese",
      room_alias_name: "cheese",
      room_version: "10",
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    const expected = {
      room_id: roomId,
      name: "Cheese",
      topic: "Tasty cheese",
      canonical_alias: "#cheese:test.local",
      num_joined_members: 2,
      world_readable: false,
      guest_can_join: false,
      join_rule: "public",
      room_version: "10",
      encryption: "m.megolm.v1.aes-sha2",
    };
    const anonymous = await summary(roomId);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual(expected);
    expect((await summary("#cheese:test.local")).body).toEqual(expected);
    expect((await summary(roomId, bob.token)).body).toEqual({ ...expected, membership: "join" });
    expect((await summary(roomId, carol.token)).body).toEqual({ ...expected, membership: "leave" });
  });

  it("a private room: its members and invitees see it; anyone else gets the 404 of an unknown room", async () => {
    const roomId = await createRoom({ preset: "private_chat", name: "Secret", room_alias_name: "secret" });
    expectError(await summary(roomId), 404, "M_NOT_FOUND");
    expectError(await summary("#secret:test.local"), 404, "M_NOT_FOUND");
    expectError(await summary(roomId, carol.token), 404, "M_NOT_FOUND");
    expect((await summary(roomId, alice.token)).body).toMatchObject({ room_id: roomId, name: "Secret", join_rule: "invite", membership: "join" });
    await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: carol.userId }, alice.token);
    expect((await summary(roomId, carol.token)).body).toMatchObject({ room_id: roomId, membership: "invite" });
    expect((await summary(roomId, carol.token)).body).not.toHaveProperty("encryption");
  });

  it("a world_readable room shows itself to anyone; a space says its type", async () => {
    const roomId = await createRoom({
      preset: "private_chat",
      creation_content: { type: "m.space" },
      initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "world_readable" } }],
    });
    expect((await summary(roomId)).body).toMatchObject({ room_id: roomId, world_readable: true, room_type: "m.space", join_rule: "invite" });
  });

  it("a restricted room lists its allowed rooms and shows itself to their members only", async () => {
    const space = await createRoom({ preset: "private_chat" });
    const roomId = await createRoom({
      preset: "private_chat",
      room_version: "10",
      initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: space }] } }],
    });
    expectError(await summary(roomId, bob.token), 404, "M_NOT_FOUND");
    await call(s, "POST", `/rooms/${enc(space)}/invite`, { user_id: bob.userId }, alice.token);
    await call(s, "POST", `/join/${enc(space)}`, {}, bob.token);
    expect((await summary(roomId, bob.token)).body).toMatchObject({ room_id: roomId, join_rule: "restricted", allowed_room_ids: [space], membership: "leave" });
  });

  it("bad input: a malformed ID 400, unknown rooms and aliases 404, a bad token 401", async () => {
    expectError(await summary("not-a-room"), 400, "M_INVALID_PARAM");
    expectError(await summary("!nope:test.local"), 404, "M_NOT_FOUND");
    expectError(await summary("#nope:test.local"), 404, "M_NOT_FOUND");
    const roomId = await createRoom({ preset: "public_chat" });
    expectError(await summary(roomId, "not-a-token"), 401, "M_UNKNOWN_TOKEN");
  });
});
