// POST /knock/{roomIdOrAlias} (knocking.yaml), driven over HTTP as a client does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("knock", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
  });
  afterAll(() => s.close());

  const knockRoom = async (version: string, joinRule = "knock", alias?: string) =>
    (
      await call(
        s,
        "POST",
        "/createRoom",
        {
          preset: "private_chat",
          room_version: version,
          ...(alias ? { room_alias_name: alias } : {}),
          initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: joinRule } }],
        },
        alice.token,
      )
    ).body.room_id as string;
  const member = async (roomId: string, userId: string) =>
    (await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.member/${enc(userId)}`, undefined, alice.token)).body;

  it("knocks by room ID and by alias; the knock carries the profile and reason; an invite answers it", async () => {
    const roomId = await knockRoom("10", "knock", "door");
    const res = await call(s, "POST", `/knock/${enc(roomId)}`, { reason: "let me in" }, bob.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ room_id: roomId });
    expect(await member(roomId, bob.userId)).toEqual({ membership: "knock", displayname: "bob", reason: "let me in" });
    // Knocking again while knocking is allowed (auth rules: not ban, invite or join).
    expect((await call(s, "POST", `/knock/${enc("#door:test.local")}`, {}, bob.token)).body).toEqual({ room_id: roomId });
    expect(await member(roomId, bob.userId)).toEqual({ membership: "knock", displayname: "bob" });
    // /join is no way in while only knocking.
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/join`, {}, bob.token), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    expectError(await call(s, "POST", `/knock/${enc(roomId)}`, {}, bob.token), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/join`, {}, bob.token)).status).toBe(200);
    expectError(await call(s, "POST", `/knock/${enc(roomId)}`, {}, bob.token), 403, "M_FORBIDDEN");
  });

  it("leaving rescinds a knock; a kick denies it; a banned user may not knock", async () => {
    const roomId = await knockRoom("7");
    expect((await call(s, "POST", `/knock/${enc(roomId)}`, {}, bob.token)).status).toBe(200);
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/leave`, {}, bob.token)).status).toBe(200);
    expect((await member(roomId, bob.userId)).membership).toBe("leave");
    expect((await call(s, "POST", `/knock/${enc(roomId)}`, {}, bob.token)).status).toBe(200);
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/kick`, { user_id: bob.userId, reason: "no" }, alice.token)).status).toBe(200);
    expect(await member(roomId, bob.userId)).toEqual({ membership: "leave", reason: "no" });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/ban`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    expectError(await call(s, "POST", `/knock/${enc(roomId)}`, {}, bob.token), 403, "M_FORBIDDEN");
  });

  it("refusals: a room not set up for knocking 403, a room version before 7 403, unknown room or alias 404, malformed 400", async () => {
    const open = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    expectError(await call(s, "POST", `/knock/${enc(open)}`, {}, bob.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "POST", `/knock/${enc(await knockRoom("6"))}`, {}, bob.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "POST", `/knock/${enc("!nowhere:test.local")}`, {}, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "POST", `/knock/${enc("#nowhere:test.local")}`, {}, bob.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "POST", `/knock/garbage`, {}, bob.token), 400, "M_INVALID_PARAM");
    const roomId = await knockRoom("10");
    expectError(await call(s, "POST", `/knock/${enc(roomId)}`, { reason: 5 }, bob.token), 400, "M_BAD_JSON");
    expect((await member(roomId, bob.userId))).toMatchObject({ errcode: "M_NOT_FOUND" });
  });
});
