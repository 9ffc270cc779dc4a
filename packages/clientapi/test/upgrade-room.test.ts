// POST /rooms/{roomId}/upgrade as a client calls it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "Alice A." }, alice.token);
  await call(s, "PUT", `/profile/${enc(alice.userId)}/avatar_url`, { avatar_url: "mxc://test.local/alice" }, alice.token);
});
afterAll(() => s.close());

const upgrade = (roomId: string, body: unknown, token?: string) => call(s, "POST", `/rooms/${enc(roomId)}/upgrade`, body, token);

describe("room upgrade", () => {
  it("replaces the room: replacement_room, tombstone, predecessor, and the upgrader's join carries their profile", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_version: "10", name: "Old" }, alice.token)).body.room_id;
    const res = await upgrade(roomId, { new_version: "12" }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const newRoom = res.body.replacement_room as string;
    expect(newRoom).toMatch(/^!/);
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.tombstone/`, undefined, alice.token)).body).toMatchObject({ replacement_room: newRoom });
    expect((await call(s, "GET", `/rooms/${enc(newRoom)}/state/m.room.create/`, undefined, alice.token)).body).toMatchObject({ room_version: "12", predecessor: { room_id: roomId } });
    expect((await call(s, "GET", `/rooms/${enc(newRoom)}/state/m.room.name/`, undefined, alice.token)).body).toEqual({ name: "Old" });
    expect((await call(s, "GET", `/rooms/${enc(newRoom)}/state/m.room.member/${enc(alice.userId)}`, undefined, alice.token)).body).toEqual({
      membership: "join",
      displayname: "Alice A.",
      avatar_url: "mxc://test.local/alice",
    });
  });

  it("an unknown version is 400 M_UNSUPPORTED_ROOM_VERSION and changes nothing", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    expectError(await upgrade(roomId, { new_version: "999" }, alice.token), 400, "M_UNSUPPORTED_ROOM_VERSION");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.tombstone/`, undefined, alice.token), 404, "M_NOT_FOUND");
  });

  it("non-members, members without power and unknown rooms get 403; bad bodies 400; no token 401", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    expectError(await upgrade(roomId, { new_version: "12" }, bob.token), 403, "M_FORBIDDEN");
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    expectError(await upgrade(roomId, { new_version: "12" }, bob.token), 403, "M_FORBIDDEN");
    expectError(await upgrade("!nowhere:test.local", { new_version: "12" }, alice.token), 403, "M_FORBIDDEN");
    expectError(await upgrade(roomId, {}, alice.token), 400, "M_BAD_JSON");
    expectError(await upgrade(roomId, { new_version: 12 }, alice.token), 400, "M_BAD_JSON");
    expectError(await upgrade(roomId, { new_version: "12", additional_creators: ["not a user"] }, alice.token), 400, "M_BAD_JSON");
    expectError(await upgrade(roomId, { new_version: "12" }), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.tombstone/`, undefined, alice.token), 404, "M_NOT_FOUND");
  });

  it("additional_creators become creators of a v12 replacement", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const res = await upgrade(roomId, { new_version: "12", additional_creators: [bob.userId] }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const create = await call(s, "GET", `/rooms/${enc(res.body.replacement_room)}/state/m.room.create/`, undefined, alice.token);
    expect(create.body.additional_creators).toEqual([bob.userId]);
  });

  it("the tombstone is the only permission: bob (50, tombstone at 50) upgrades though m.room.encryption needs 100", async () => {
    const roomId = (
      await call(s, "POST", "/createRoom", {
        preset: "public_chat",
        room_version: "10",
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
        power_level_content_override: { users: { [alice.userId]: 100, [bob.userId]: 50 }, events: { "m.room.tombstone": 50, "m.room.encryption": 100 } },
      }, alice.token)
    ).body.room_id;
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    const res = await upgrade(roomId, { new_version: "10" }, bob.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const newRoom = res.body.replacement_room as string;
    expect((await call(s, "GET", `/rooms/${enc(newRoom)}/state/m.room.encryption/`, undefined, bob.token)).body).toEqual({ algorithm: "m.megolm.v1.aes-sha2" });
    expect((await call(s, "GET", `/rooms/${enc(newRoom)}/state/m.room.power_levels/`, undefined, bob.token)).body.users).toEqual({ [alice.userId]: 100, [bob.userId]: 50 });
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.tombstone/`, undefined, bob.token)).body).toMatchObject({ replacement_room: newRoom });
    // A retry answers with the same room; alice upgrading bob's upgrade is refused.
    expect((await upgrade(roomId, { new_version: "10" }, bob.token)).body).toEqual({ replacement_room: newRoom });
    expectError(await upgrade(roomId, { new_version: "10" }, alice.token), 400, "M_BAD_STATE");
  });

  it("a refusal carries the errcode and message only", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    const res = await upgrade(roomId, { new_version: "12" }, bob.token);
    expectError(res, 403, "M_FORBIDDEN");
    expect(Object.keys(res.body).sort()).toEqual(["errcode", "error"]);
  });
});
