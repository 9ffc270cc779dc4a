// Membership changed through PUT /rooms/{roomId}/state/m.room.member/{userId}: the spec lets a
// user adjust membership directly there "like with other membership changes", so an invitee
// accepts or rejects, and a knocker knocks, without being joined; malformed membership is 400.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("membership through the state API", () => {
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

  const memberPath = (roomId: string, userId: string) => `/rooms/${enc(roomId)}/state/m.room.member/${enc(userId)}`;
  const membership = async (roomId: string, userId: string) => (await call(s, "GET", memberPath(roomId, userId), undefined, alice.token)).body.membership;
  const privateRoom = async () => (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id as string;

  it("an invitee accepts with membership join and rejects with membership leave", async () => {
    const roomId = await privateRoom();
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    const joined = await call(s, "PUT", memberPath(roomId, bob.userId), { membership: "join", displayname: "Bobby" }, bob.token);
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    expect(joined.body.event_id).toMatch(/^\$/);
    expect((await call(s, "GET", memberPath(roomId, bob.userId), undefined, alice.token)).body).toEqual({ membership: "join", displayname: "Bobby" });

    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: carol.userId }, alice.token)).status).toBe(200);
    expect((await call(s, "PUT", memberPath(roomId, carol.userId), { membership: "leave" }, carol.token)).status).toBe(200);
    expect(await membership(roomId, carol.userId)).toBe("leave");
  });

  it("a join, invite or knock through the state API carries the member's profile where the content has none", async () => {
    const roomId = await privateRoom();
    expect((await call(s, "PUT", `/profile/${enc(carol.userId)}/avatar_url`, { avatar_url: "mxc://test.local/carol" }, carol.token)).status).toBe(200);
    expect((await call(s, "PUT", memberPath(roomId, carol.userId), { membership: "invite", reason: "r" }, alice.token)).status).toBe(200);
    const invited = (await call(s, "GET", memberPath(roomId, carol.userId), undefined, alice.token)).body;
    expect(invited).toEqual({ membership: "invite", reason: "r", displayname: "carol", avatar_url: "mxc://test.local/carol" });
    // The client's own choice (a per-room name, no avatar) is kept.
    expect((await call(s, "PUT", memberPath(roomId, carol.userId), { membership: "join", displayname: "Caz", avatar_url: null }, carol.token)).status).toBe(200);
    expect((await call(s, "GET", memberPath(roomId, carol.userId), undefined, alice.token)).body).toEqual({ membership: "join", displayname: "Caz", avatar_url: null });
    // A ban is about the target, not from them: no profile added.
    expect((await call(s, "PUT", memberPath(roomId, carol.userId), { membership: "ban" }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", memberPath(roomId, carol.userId), undefined, alice.token)).body).toEqual({ membership: "ban" });
  });

  it("a knock through the state API; outsiders and unknown rooms still get 403", async () => {
    const roomId = (
      await call(s, "POST", "/createRoom", { preset: "private_chat", initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }] }, alice.token)
    ).body.room_id;
    expect((await call(s, "PUT", memberPath(roomId, carol.userId), { membership: "knock" }, carol.token)).status).toBe(200);
    expect(await membership(roomId, carol.userId)).toBe("knock");
    const priv = await privateRoom();
    expectError(await call(s, "PUT", memberPath(priv, carol.userId), { membership: "join" }, carol.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "PUT", memberPath("!nowhere:test.local", carol.userId), { membership: "join" }, carol.token), 403, "M_FORBIDDEN");
    // Someone else's membership still needs the sender joined.
    expectError(await call(s, "PUT", memberPath(priv, bob.userId), { membership: "invite" }, carol.token), 403, "M_FORBIDDEN");
  });

  it("a missing or unknown membership, or a state key that is not a user ID, is 400 and changes nothing", async () => {
    const roomId = await privateRoom();
    expectError(await call(s, "PUT", memberPath(roomId, bob.userId), { displayname: "x" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", memberPath(roomId, bob.userId), { membership: "foo" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", memberPath(roomId, bob.userId), { membership: 5 }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/state/m.room.member/notauser`, { membership: "join" }, alice.token), 400, "M_INVALID_PARAM");
    expect((await call(s, "GET", memberPath(roomId, bob.userId), undefined, alice.token)).status).toBe(404);
  });

  it("inviting another server's user through the state API is refused as /invite refuses it, and changes nothing", async () => {
    const roomId = await privateRoom();
    const remote = "@someone:elsewhere.example";
    // The invite would sit in our copy of the room only: their server is never asked to countersign.
    expectError(await call(s, "PUT", memberPath(roomId, remote), { membership: "invite" }, alice.token), 404, "M_UNRECOGNIZED");
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: remote }, alice.token), 404, "M_UNRECOGNIZED");
    expect((await call(s, "GET", memberPath(roomId, remote), undefined, alice.token)).status).toBe(404);
    // Banning them needs no word from their server.
    expect((await call(s, "PUT", memberPath(roomId, remote), { membership: "ban" }, alice.token)).status).toBe(200);
  });
});
