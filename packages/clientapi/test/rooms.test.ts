// Room creation per preset and membership changes, driven over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, SERVER, startServer, type TestServer, type User } from "./harness";

describe("rooms", () => {
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

  const state = async (roomId: string, type: string, key = "", token = alice.token) =>
    call(s, "GET", `/rooms/${enc(roomId)}/state/${type}/${enc(key)}`, undefined, token);

  it.each([
    ["public_chat", "public", "forbidden"],
    ["private_chat", "invite", "can_join"],
    ["trusted_private_chat", "invite", "can_join"],
  ])("createRoom preset %s sets join rule %s and guest access %s", async (preset, joinRule, guest) => {
    const res = await call(s, "POST", "/createRoom", { preset, name: "N", topic: "T" }, alice.token);
    expect(res.status).toBe(200);
    const roomId = res.body.room_id;
    expect((await state(roomId, "m.room.join_rules")).body).toEqual({ join_rule: joinRule });
    expect((await state(roomId, "m.room.guest_access")).body).toEqual({ guest_access: guest });
    expect((await state(roomId, "m.room.name")).body).toEqual({ name: "N" });
    expect((await state(roomId, "m.room.topic")).body).toMatchObject({ topic: "T" });
    expect((await state(roomId, "m.room.create")).body.room_version).toBe("12");
  });

  it("member events carry the member's profile: the creator's join, invites from createRoom and /invite, a join", async () => {
    const dave = await register(s, "dave");
    const erin = await register(s, "erin");
    expect((await call(s, "PUT", `/profile/${enc(dave.userId)}/avatar_url`, { avatar_url: "mxc://test.local/dave" }, dave.token)).status).toBe(200);
    const roomId = (await call(s, "POST", "/createRoom", { invite: [dave.userId] }, alice.token)).body.room_id;
    expect((await state(roomId, "m.room.member", alice.userId)).body).toEqual({ membership: "join", displayname: "alice" });
    expect((await state(roomId, "m.room.member", dave.userId)).body).toEqual({ membership: "invite", displayname: "dave", avatar_url: "mxc://test.local/dave" });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: erin.userId }, alice.token)).status).toBe(200);
    expect((await state(roomId, "m.room.member", erin.userId)).body).toEqual({ membership: "invite", displayname: "erin" });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/join`, {}, dave.token)).status).toBe(200);
    expect((await state(roomId, "m.room.member", dave.userId)).body).toEqual({ membership: "join", displayname: "dave", avatar_url: "mxc://test.local/dave" });
  });

  it("createRoom: visibility public without preset is public_chat; room_version, initial_state, creation_content, invites, is_direct", async () => {
    const res = await call(
      s,
      "POST",
      "/createRoom",
      {
        visibility: "public",
        room_version: "10",
        initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "joined" } }],
        creation_content: { "m.federate": false },
        power_level_content_override: { events_default: 10 },
        invite: [bob.userId],
        is_direct: true,
      },
      alice.token,
    );
    expect(res.status).toBe(200);
    const roomId = res.body.room_id;
    expect((await state(roomId, "m.room.join_rules")).body.join_rule).toBe("public");
    const create = (await state(roomId, "m.room.create")).body;
    expect(create).toMatchObject({ room_version: "10", "m.federate": false });
    expect((await state(roomId, "m.room.history_visibility")).body.history_visibility).toBe("joined");
    expect((await state(roomId, "m.room.power_levels")).body.events_default).toBe(10);
    expect((await state(roomId, "m.room.member", bob.userId)).body).toMatchObject({ membership: "invite", is_direct: true });
    const ev = await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.create/?format=event`, undefined, alice.token);
    expect(ev.body).toMatchObject({ type: "m.room.create", room_id: roomId, sender: alice.userId, state_key: "" });
    expect(ev.body.event_id).toMatch(/^\$/);
  });

  it("createRoom errors: unknown room version, bad invite, alias in use", async () => {
    const v = await call(s, "POST", "/createRoom", { room_version: "999" }, alice.token);
    expectError(v, 400, "M_UNSUPPORTED_ROOM_VERSION");
    const bad = await call(s, "POST", "/createRoom", { invite: ["not-a-user"] }, alice.token);
    expectError(bad, 400, "M_BAD_JSON");
    expect(bad.body.error).toContain("body.invite.0");
    expectError(await call(s, "POST", "/createRoom", { preset: "everyone" }, alice.token), 400, "M_BAD_JSON");
    const first = await call(s, "POST", "/createRoom", { room_alias_name: "lobby" }, alice.token);
    expect(first.status).toBe(200);
    expect(first.body.room_alias).toBe("#lobby:test.local");
    expectError(await call(s, "POST", "/createRoom", { room_alias_name: "lobby" }, bob.token), 400, "M_ROOM_IN_USE");
  });

  it("createRoom refuses malformed content before building anything (no half-made room)", async () => {
    const before = (await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length;
    const cases: Array<[unknown, string]> = [
      [{ power_level_content_override: { ban: "high" } }, "power_level_content_override.ban"],
      [{ power_level_content_override: { users: "x" } }, "power_level_content_override.users"],
      [{ power_level_content_override: { users: { "not-a-user": 50 } } }, "power_level_content_override.users.not-a-user"],
      [{ power_level_content_override: { users: { [alice.userId]: 100 } } }, `power_level_content_override.users.${alice.userId}`],
      [{ initial_state: [{ type: "a.b", content: { x: 0.5 } }] }, "initial_state.0.content.x"],
    ];
    for (const [body, field] of cases) {
      const res = await call(s, "POST", "/createRoom", body, alice.token);
      expectError(res, 400, "M_BAD_JSON");
      expect(res.body.error).toContain(field);
    }
    // Room version 10: string levels are still refused (integers only since v10), v5 accepts them.
    expectError(await call(s, "POST", "/createRoom", { room_version: "10", power_level_content_override: { kick: "50" } }, alice.token), 400, "M_BAD_JSON");
    expect((await call(s, "POST", "/createRoom", { room_version: "5", power_level_content_override: { kick: "50" } }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length).toBe(before + 1);
  });

  it("createRoom refuses initial_state that PUT /state would: a name, topic or tombstone without its string field, an ACL denying this server", async () => {
    const before = (await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["m.room.name", { name: 5 }, "initial_state.1.content.name"],
      ["m.room.topic", {}, "initial_state.1.content.topic"],
      ["m.room.tombstone", { body: "gone" }, "initial_state.1.content.replacement_room"],
      ["m.room.server_acl", { allow: [] }, "initial_state.1.content"],
      ["m.room.server_acl", { allow: ["*"], deny: [SERVER] }, "initial_state.1.content"],
    ];
    for (const [type, content, field] of cases) {
      const initial_state = [{ type: "org.example.fine", content: {} }, { type, state_key: "", content }];
      const res = await call(s, "POST", "/createRoom", { initial_state }, alice.token);
      expectError(res, 400, "M_BAD_JSON");
      expect(res.body.error).toContain(field);
    }
    expect((await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length).toBe(before);
    const ok = await call(s, "POST", "/createRoom", { initial_state: [{ type: "m.room.server_acl", content: { allow: ["*"], deny: ["evil.example"] } }] }, alice.token);
    expect(ok.status).toBe(200);
    expect((await call(s, "GET", `/rooms/${enc(ok.body.room_id)}/state/m.room.server_acl`, undefined, alice.token)).body).toEqual({ allow: ["*"], deny: ["evil.example"] });
  });

  it("createRoom refuses an initial_state m.room.canonical_alias that PUT /state would: malformed (M_INVALID_PARAM), or naming an alias other than its own room_alias_name (M_BAD_ALIAS)", async () => {
    const taken = (await call(s, "POST", "/createRoom", { room_alias_name: "canon-taken" }, alice.token)).body.room_id;
    expect(taken).toBeDefined();
    const before = (await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ alias: 5 }, "M_INVALID_PARAM", "initial_state.1.content.alias"],
      [{ alt_aliases: ["nohash"] }, "M_INVALID_PARAM", "initial_state.1.content.alt_aliases.0"],
      [{ alias: "#canon-taken:test.local" }, "M_BAD_ALIAS", "#canon-taken:test.local"],
      [{ alias: "#canon-nowhere:test.local" }, "M_BAD_ALIAS", "#canon-nowhere:test.local"],
      [{ alt_aliases: ["#elsewhere:other.example"] }, "M_BAD_ALIAS", "#elsewhere:other.example"],
    ];
    for (const [content, errcode, named] of cases) {
      const initial_state = [{ type: "org.example.fine", content: {} }, { type: "m.room.canonical_alias", state_key: "", content }];
      const res = await call(s, "POST", "/createRoom", { room_alias_name: "canon-new", initial_state }, alice.token);
      expectError(res, 400, errcode);
      expect(res.body.error).toContain(named);
    }
    expect((await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length).toBe(before);
    expectError(await call(s, "GET", `/directory/room/${enc("#canon-new:test.local")}`), 404, "M_NOT_FOUND");
    // The room's own new alias points to it; an empty alias is none.
    const content = { alias: "", alt_aliases: ["#canon-new:test.local"] };
    const made = await call(s, "POST", "/createRoom", { room_alias_name: "canon-new", initial_state: [{ type: "m.room.canonical_alias", content }] }, alice.token);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect((await state(made.body.room_id, "m.room.canonical_alias")).body).toEqual(content);
  });

  it("createRoom v12: tombstone above state_default; trusted_private_chat invitees become additional creators (v10: users at 100)", async () => {
    const plain = (await call(s, "POST", "/createRoom", {}, alice.token)).body.room_id;
    expect((await state(plain, "m.room.power_levels")).body.events["m.room.tombstone"]).toBe(150);
    const trusted = await call(s, "POST", "/createRoom", { preset: "trusted_private_chat", invite: [bob.userId] }, alice.token);
    expect(trusted.status, JSON.stringify(trusted.body)).toBe(200);
    expect((await state(trusted.body.room_id, "m.room.create")).body.additional_creators).toEqual([bob.userId]);
    expect((await state(trusted.body.room_id, "m.room.power_levels")).body.users).toEqual({});
    // Asked for as an additional creator too: deduplicated, not a half-made room.
    const both = await call(
      s,
      "POST",
      "/createRoom",
      { preset: "trusted_private_chat", invite: [bob.userId], creation_content: { additional_creators: [carol.userId, bob.userId] } },
      alice.token,
    );
    expect(both.status, JSON.stringify(both.body)).toBe(200);
    expect((await state(both.body.room_id, "m.room.create")).body.additional_creators).toEqual([carol.userId, bob.userId]);
    expect((await call(s, "POST", `/join/${enc(both.body.room_id)}`, {}, bob.token)).status).toBe(200);
    expect((await call(s, "PUT", `/rooms/${enc(both.body.room_id)}/state/m.room.name`, { name: "by bob" }, bob.token)).status).toBe(200);

    const v10 = (await call(s, "POST", "/createRoom", { room_version: "10", preset: "trusted_private_chat", invite: [bob.userId] }, alice.token)).body.room_id;
    const pl10 = (await state(v10, "m.room.power_levels")).body;
    expect(pl10.events["m.room.tombstone"]).toBe(100);
    expect(pl10.users).toEqual({ [alice.userId]: 100, [bob.userId]: 100 });
    expect((await state(v10, "m.room.create")).body.additional_creators).toBeUndefined();
  });

  it("createRoom refuses bad additional_creators, and creators in the override's users, with 400 before building anything", async () => {
    const before = (await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length;
    const cases: Array<[unknown, string]> = [
      [{ creation_content: { additional_creators: "x" } }, "creation_content.additional_creators"],
      [{ creation_content: { additional_creators: ["not-a-user"] } }, "creation_content.additional_creators"],
      [{ creation_content: { additional_creators: [bob.userId] }, power_level_content_override: { users: { [bob.userId]: 50 } } }, `users.${bob.userId}`],
      [{ preset: "trusted_private_chat", invite: [bob.userId], power_level_content_override: { users: { [bob.userId]: 50 } } }, `users.${bob.userId}`],
    ];
    for (const [body, field] of cases) {
      const res = await call(s, "POST", "/createRoom", body, alice.token);
      expectError(res, 400, "M_BAD_JSON");
      expect(res.body.error).toContain(field);
    }
    expect((await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length).toBe(before);
  });

  it("join by ID and alias, leave, joined_rooms, joined_members", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_alias_name: "hall" }, alice.token)).body.room_id;
    expect((await call(s, "POST", `/join/${enc("#hall:test.local")}`, {}, bob.token)).body).toEqual({ room_id: roomId });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/join`, undefined, carol.token)).body).toEqual({ room_id: roomId });
    expect((await call(s, "GET", "/joined_rooms", undefined, bob.token)).body.joined_rooms).toContain(roomId);
    const members = await call(s, "GET", `/rooms/${enc(roomId)}/joined_members`, undefined, bob.token);
    expect(Object.keys(members.body.joined).sort()).toEqual([alice.userId, bob.userId, carol.userId].sort());
    expect(members.body.joined[bob.userId]).toEqual({ display_name: "bob" });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/leave`, { reason: "bye" }, carol.token)).status).toBe(200);
    expect((await call(s, "GET", "/joined_rooms", undefined, carol.token)).body.joined_rooms).not.toContain(roomId);
    expect((await state(roomId, "m.room.member", carol.userId)).body).toEqual({ membership: "leave", reason: "bye" });
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/leave`, {}, carol.token), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/forget`, {}, carol.token)).status).toBe(200);
  });

  it("joining a room again with nothing new (same profile, same reason) adds no event; a new reason does", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const memberEventId = async () => (await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.member/${enc(bob.userId)}?format=event`, undefined, alice.token)).body.event_id;
    expect((await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token)).status).toBe(200);
    const first = await memberEventId();
    // A client retrying its join, by either endpoint.
    expect((await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token)).body).toEqual({ room_id: roomId });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/join`, {}, bob.token)).body).toEqual({ room_id: roomId });
    expect(await memberEventId()).toBe(first);
    expect((await call(s, "POST", `/join/${enc(roomId)}`, { reason: "back" }, bob.token)).status).toBe(200);
    const withReason = await memberEventId();
    expect(withReason).not.toBe(first);
    expect((await state(roomId, "m.room.member", bob.userId)).body).toMatchObject({ membership: "join", reason: "back" });
    // The same join again, reason and all, changes nothing either.
    expect((await call(s, "POST", `/join/${enc(roomId)}`, { reason: "back" }, bob.token)).status).toBe(200);
    expect(await memberEventId()).toBe(withReason);
  });

  it("the same user joining five times at once makes one join event", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(s, "POST", `/join/${enc(roomId)}`, {}, carol.token)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const { body: latest } = await s.roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
    const { body: history } = await s.roomserver.queryBackfill({ body: { roomId, fromEventIds: latest.latestEventIds, limit: 100 } });
    expect(history.events.filter((e) => e.type === "m.room.member" && e.state_key === carol.userId)).toHaveLength(1);
  });

  it("join errors: unknown alias 404, invite-only room 403, malformed ID 400", async () => {
    expectError(await call(s, "POST", `/join/${enc("#nowhere:test.local")}`, {}, bob.token), 404, "M_NOT_FOUND");
    const priv = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
    expectError(await call(s, "POST", `/join/${enc(priv)}`, {}, bob.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "POST", `/join/garbage`, {}, bob.token), 400, "M_INVALID_PARAM");
  });

  it("invite lets a user into a private room; kick, ban, unban", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, carol.token), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    expect((await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token)).status).toBe(200);
    // bob has power 0: he may not kick alice.
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/kick`, { user_id: alice.userId }, bob.token), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/kick`, { user_id: bob.userId, reason: "out" }, alice.token)).status).toBe(200);
    expect((await state(roomId, "m.room.member", bob.userId)).body).toMatchObject({ membership: "leave", reason: "out" });
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/ban`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    expect((await state(roomId, "m.room.member", bob.userId)).body.membership).toBe("ban");
    await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.token);
    expectError(await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/unban`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    expect((await state(roomId, "m.room.member", bob.userId)).body.membership).toBe("leave");
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/kick`, { user_id: "nobody" }, alice.token), 400, "M_BAD_JSON");
  });

  it("inviting another server's user (no federation yet) says so, by /invite and by createRoom, and changes nothing", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
    const invited = await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: "@zoe:elsewhere.example" }, alice.token);
    expectError(invited, 404, "M_UNRECOGNIZED");
    expect(invited.body.error).toContain("other servers");
    expectError(await state(roomId, "m.room.member", "@zoe:elsewhere.example"), 404, "M_NOT_FOUND");
    const before = (await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length;
    const created = await call(s, "POST", "/createRoom", { invite: ["@zoe:elsewhere.example"] }, alice.token);
    expectError(created, 404, "M_UNRECOGNIZED");
    expect(created.body.error).toContain("@zoe:elsewhere.example");
    expect((await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms.length).toBe(before);
  });

  it("a restricted room whose joined members may not invite answers 400 M_UNABLE_TO_GRANT_JOIN (the spec's status), not a 5xx", async () => {
    const space = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const roomId = (
      await call(s, "POST", "/createRoom", {
        preset: "private_chat",
        room_version: "10",
        power_level_content_override: { invite: 100 },
        initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: space }] } }],
      }, alice.token)
    ).body.room_id;
    const erin = await register(s, "erin-grant");
    const finn = await register(s, "finn-grant");
    for (const u of [erin, finn]) expect((await call(s, "POST", `/join/${enc(space)}`, {}, u.token)).status).toBe(200);
    // Erin gets in through the space (Alice, at 100, authorises); then Alice leaves: nobody left may invite.
    expect((await call(s, "POST", `/join/${enc(roomId)}`, {}, erin.token)).status).toBe(200);
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/leave`, {}, alice.token)).status).toBe(200);
    expectError(await call(s, "POST", `/join/${enc(roomId)}`, {}, finn.token), 400, "M_UNABLE_TO_GRANT_JOIN");
    expectError(await state(roomId, "m.room.member", finn.userId, erin.token), 404, "M_NOT_FOUND");
  });

  it("unban of a user who is not banned, and kick of a banned user, are 403 M_BAD_STATE and change nothing", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    expect((await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token)).status).toBe(200);
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/unban`, { user_id: bob.userId }, alice.token), 403, "M_BAD_STATE");
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/unban`, { user_id: carol.userId }, alice.token), 403, "M_BAD_STATE");
    expect((await state(roomId, "m.room.member", bob.userId)).body.membership).toBe("join");
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/ban`, { user_id: carol.userId, reason: "spam" }, alice.token)).status).toBe(200);
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/kick`, { user_id: carol.userId }, alice.token), 403, "M_BAD_STATE");
    expect((await state(roomId, "m.room.member", carol.userId)).body).toEqual({ membership: "ban", reason: "spam" });
    // Not in the room at all is a refusal like any other.
    const dave = await register(s, "dave-bad-state");
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/kick`, { user_id: dave.userId }, alice.token), 403, "M_FORBIDDEN");
  });

  it("the roomserver's auth rejection reaches the client as 403 without internal extras", async () => {
    const roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    const res = await call(s, "PUT", `/rooms/${enc(roomId)}/state/m.room.name`, { name: "mine" }, bob.token);
    expectError(res, 403, "M_FORBIDDEN");
    expect(res.body.rule).toBeUndefined();
    expect(res.body.event_id).toBeUndefined();
  });
});
