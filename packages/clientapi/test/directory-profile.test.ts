// Aliases and profiles (with member-event fan-out visible in room state).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("room aliases", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  let roomId: string;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
    roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
  });
  afterAll(() => s.close());

  const alias = (a: string) => `/directory/room/${enc(a)}`;

  it("creates, resolves, lists and deletes a local alias", async () => {
    expect((await call(s, "PUT", alias("#den:test.local"), { room_id: roomId }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", alias("#den:test.local"))).body).toEqual({ room_id: roomId, servers: ["test.local"] });
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/aliases`, undefined, alice.token)).body).toEqual({ aliases: ["#den:test.local"] });
    expect((await call(s, "DELETE", alias("#den:test.local"), undefined, alice.token)).status).toBe(200);
    expectError(await call(s, "GET", alias("#den:test.local")), 404, "M_NOT_FOUND");
  });

  it("a taken alias is 409; a foreign one 400; a malformed one 400; a missing one 404 on delete", async () => {
    await call(s, "PUT", alias("#taken:test.local"), { room_id: roomId }, alice.token);
    const again = await call(s, "PUT", alias("#taken:test.local"), { room_id: roomId }, alice.token);
    expectError(again, 409, "M_UNKNOWN");
    expectError(await call(s, "PUT", alias("#x:elsewhere.org"), { room_id: roomId }, alice.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", alias("nohash"), { room_id: roomId }, alice.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", alias("#ok:test.local"), { room_id: 7 }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "DELETE", alias("#never:test.local"), undefined, alice.token), 404, "M_NOT_FOUND");
  });

  it("only members may add aliases; only the creator (or a powerful user) may delete", async () => {
    expectError(await call(s, "PUT", alias("#bobs:test.local"), { room_id: roomId }, bob.token), 403, "M_FORBIDDEN");
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    await call(s, "PUT", alias("#alices:test.local"), { room_id: roomId }, alice.token);
    expectError(await call(s, "DELETE", alias("#alices:test.local"), undefined, bob.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/aliases`, undefined, (await register(s, "outsider")).token), 403, "M_FORBIDDEN");
  });
});

describe("profiles", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
  });
  afterAll(() => s.close());

  it("reads the default profile; sets displayname and avatar_url", async () => {
    expect((await call(s, "GET", `/profile/${enc(alice.userId)}`)).body).toEqual({ displayname: "alice" });
    expect((await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "Alice A." }, alice.token)).status).toBe(200);
    expect((await call(s, "PUT", `/profile/${enc(alice.userId)}/avatar_url`, { avatar_url: "mxc://test.local/abc" }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", `/profile/${enc(alice.userId)}`)).body).toEqual({ displayname: "Alice A.", avatar_url: "mxc://test.local/abc" });
    expect((await call(s, "GET", `/profile/${enc(alice.userId)}/displayname`)).body).toEqual({ displayname: "Alice A." });
    expect((await call(s, "GET", `/profile/${enc(alice.userId)}/avatar_url`)).body).toEqual({ avatar_url: "mxc://test.local/abc" });
  });

  it("a profile change reaches every joined room as a new member event", async () => {
    const r1 = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, bob.token)).body.room_id;
    const r2 = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(r1)}`, {}, alice.token);
    await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "Queen Alice" }, alice.token);
    for (const room of [r1, r2]) {
      const member = await call(s, "GET", `/rooms/${enc(room)}/state/m.room.member/${enc(alice.userId)}`, undefined, alice.token);
      expect(member.body).toMatchObject({ membership: "join", displayname: "Queen Alice", avatar_url: "mxc://test.local/abc" });
    }
    const joined = await call(s, "GET", `/rooms/${enc(r1)}/joined_members`, undefined, bob.token);
    expect(joined.body.joined[alice.userId]).toEqual({ display_name: "Queen Alice", avatar_url: "mxc://test.local/abc" });
    // Clearing the avatar removes it from the member event.
    await call(s, "PUT", `/profile/${enc(alice.userId)}/avatar_url`, { avatar_url: null }, alice.token);
    const after = await call(s, "GET", `/rooms/${enc(r1)}/state/m.room.member/${enc(alice.userId)}`, undefined, alice.token);
    expect(after.body.avatar_url).toBeUndefined();
    expectError(await call(s, "GET", `/profile/${enc(alice.userId)}/avatar_url`), 404, "M_NOT_FOUND");
  });

  it("errors: someone else's profile 403, unknown user 404, wrong type 400, no token 401", async () => {
    expectError(await call(s, "PUT", `/profile/${enc(bob.userId)}/displayname`, { displayname: "x" }, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/profile/${enc("@ghost:test.local")}`), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", `/profile/${enc("@ghost:remote.example")}`), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: 1 }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, {}, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "x" }), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", `/profile/not-a-user`), 400, "M_INVALID_PARAM");
  });
});
