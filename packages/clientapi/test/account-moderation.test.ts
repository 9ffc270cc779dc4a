// Account moderation as a client meets it (spec "Account moderation"): a locked account answers
// 401 M_USER_LOCKED (soft_logout) everywhere but the logout routes and keeps its tokens; a
// suspended one is refused the spec's recommended set with 403 M_USER_SUSPENDED, changing
// nothing, and keeps reading, leaving and redacting its own events. The flags are set through
// userapi's contract here (the admin endpoints have their own test).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type Res, type TestServer, type User } from "./harness";

describe("account moderation", () => {
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

  const moderate = (user: User, flags: { locked?: boolean; suspended?: boolean }) =>
    s.userapi.setAccountModeration({ body: { userId: user.userId, ...flags } });
  const login = async (user: User, deviceId: string): Promise<string> => {
    const res = await call(s, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password, device_id: deviceId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.access_token;
  };
  const expectLocked = (res: Res) => {
    expectError(res, 401, "M_USER_LOCKED");
    expect(res.body.soft_logout).toBe(true);
  };

  describe("locking", () => {
    it("every route but logout answers 401 M_USER_LOCKED with soft_logout; unlocking makes the same tokens work again", async () => {
      const dave = await register(s, "dave");
      const room = (await call(s, "POST", "/createRoom", {}, dave.token)).body.room_id as string;
      await moderate(dave, { locked: true });
      expectLocked(await call(s, "GET", "/account/whoami", undefined, dave.token));
      expectLocked(await call(s, "GET", "/capabilities", undefined, dave.token));
      expectLocked(await call(s, "GET", "/joined_rooms", undefined, dave.token));
      expectLocked(await call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/t1`, { msgtype: "m.text", body: "hi" }, dave.token));
      expectLocked(await call(s, "PUT", `/profile/${enc(dave.userId)}/displayname`, { displayname: "D" }, dave.token));
      expect((await call(s, "GET", `/profile/${enc(dave.userId)}/displayname`)).body).toEqual({ displayname: "dave" });
      // Others are not affected.
      expect((await call(s, "GET", "/account/whoami", undefined, bob.token)).status).toBe(200);

      await moderate(dave, { locked: false });
      const me = await call(s, "GET", "/account/whoami", undefined, dave.token);
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body.user_id).toBe(dave.userId);
      expect((await call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/t1`, { msgtype: "m.text", body: "hi" }, dave.token)).status).toBe(200);
    });

    it("POST /logout and /logout/all still work while locked", async () => {
      const erin = await register(s, "erin");
      const laptop = await login(erin, "LAPTOP");
      const phone = await login(erin, "PHONE");
      await moderate(erin, { locked: true });
      expect((await call(s, "POST", "/logout", {}, laptop)).status).toBe(200);
      await moderate(erin, { locked: false });
      expectError(await call(s, "GET", "/account/whoami", undefined, laptop), 401, "M_UNKNOWN_TOKEN");
      expect((await call(s, "GET", "/account/whoami", undefined, phone)).status).toBe(200);

      await moderate(erin, { locked: true });
      expect((await call(s, "POST", "/logout/all", {}, phone)).status).toBe(200);
      await moderate(erin, { locked: false });
      expectError(await call(s, "GET", "/account/whoami", undefined, phone), 401, "M_UNKNOWN_TOKEN");
      expectError(await call(s, "GET", "/account/whoami", undefined, erin.token), 401, "M_UNKNOWN_TOKEN");
    });
  });

  describe("suspension", () => {
    /** alice's own room, bob joined, each with an event in it. */
    let own: string;
    let ownEvent: string;
    let bobsEvent: string;
    /** bob's rooms: public (alice joined), public (alice not joined), one alice is invited to, a knock room. */
    let joined: string;
    let other: string;
    let invitedTo: string;
    let knockRoom: string;

    const send = async (user: User, roomId: string, body: string) =>
      (await call(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`, { msgtype: "m.text", body }, user.token)).body.event_id as string;
    const membership = async (roomId: string, user: User) => (await s.roomserver.queryMembership({ body: { roomId, userId: user.userId } })).body.membership;
    const latest = async (roomId: string) => (await s.roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const createRoom = async (user: User, body: object) => (await call(s, "POST", "/createRoom", body, user.token)).body.room_id as string;

    beforeAll(async () => {
      own = await createRoom(alice, { preset: "public_chat" });
      expect((await call(s, "POST", `/join/${enc(own)}`, {}, bob.token)).status).toBe(200);
      ownEvent = await send(alice, own, "mine");
      bobsEvent = await send(bob, own, "bob's");
      joined = await createRoom(bob, { preset: "public_chat" });
      expect((await call(s, "POST", `/join/${enc(joined)}`, {}, alice.token)).status).toBe(200);
      other = await createRoom(bob, { preset: "public_chat" });
      invitedTo = await createRoom(bob, { preset: "private_chat", invite: [alice.userId] });
      knockRoom = await createRoom(bob, { preset: "private_chat", initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }] });
      await moderate(alice, { suspended: true });
    });

    const refused = (res: Res) => expectError(res, 403, "M_USER_SUSPENDED");

    it("joining, knocking and accepting an invite are refused; memberships stay", async () => {
      refused(await call(s, "POST", `/join/${enc(other)}`, {}, alice.token));
      refused(await call(s, "POST", `/rooms/${enc(other)}/join`, {}, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(other)}/state/m.room.member/${enc(alice.userId)}`, { membership: "join" }, alice.token));
      expect(await membership(other, alice)).toBeUndefined();
      refused(await call(s, "POST", `/knock/${enc(knockRoom)}`, {}, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(knockRoom)}/state/m.room.member/${enc(alice.userId)}`, { membership: "knock" }, alice.token));
      expect(await membership(knockRoom, alice)).toBeUndefined();
      refused(await call(s, "POST", `/rooms/${enc(invitedTo)}/join`, {}, alice.token));
      refused(await call(s, "POST", `/join/${enc(invitedTo)}`, {}, alice.token));
      expect(await membership(invitedTo, alice)).toBe("invite");
    });

    it("inviting, creating rooms (with invitees or not) and upgrading are refused; nothing is made", async () => {
      const rooms = (await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms;
      refused(await call(s, "POST", `/rooms/${enc(own)}/invite`, { user_id: carol.userId }, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(own)}/state/m.room.member/${enc(carol.userId)}`, { membership: "invite" }, alice.token));
      expect(await membership(own, carol)).toBeUndefined();
      refused(await call(s, "POST", "/createRoom", {}, alice.token));
      refused(await call(s, "POST", "/createRoom", { invite: [carol.userId] }, alice.token));
      refused(await call(s, "POST", `/rooms/${enc(own)}/upgrade`, { new_version: "11" }, alice.token));
      expect((await call(s, "GET", "/joined_rooms", undefined, alice.token)).body.joined_rooms).toEqual(rooms);
      expect((await call(s, "GET", "/joined_rooms", undefined, carol.token)).body.joined_rooms).toEqual([]);
    });

    it("sending messages and state, and redacting another user's event, are refused; the room does not move", async () => {
      const before = await latest(own);
      refused(await call(s, "PUT", `/rooms/${enc(own)}/send/m.room.message/s1`, { msgtype: "m.text", body: "x" }, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(own)}/send/m.reaction/s2`, { "m.relates_to": { rel_type: "m.annotation", event_id: bobsEvent, key: "👍" } }, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(own)}/state/m.room.topic`, { topic: "x" }, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(own)}/redact/${enc(bobsEvent)}/r1`, {}, alice.token));
      refused(await call(s, "PUT", `/rooms/${enc(own)}/send/m.room.redaction/r2`, { redacts: bobsEvent }, alice.token));
      expect(await latest(own)).toEqual(before);
    });

    it("profile changes are refused, whatever the field; the profile stays", async () => {
      refused(await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "A" }, alice.token));
      refused(await call(s, "PUT", `/profile/${enc(alice.userId)}/avatar_url`, { avatar_url: "mxc://test.local/a" }, alice.token));
      refused(await call(s, "PUT", `/profile/${enc(alice.userId)}/m.tz`, { "m.tz": "Europe/London" }, alice.token));
      refused(await call(s, "DELETE", `/profile/${enc(alice.userId)}/displayname`, undefined, alice.token));
      expect((await call(s, "GET", `/profile/${enc(alice.userId)}`)).body).toEqual({ displayname: "alice" });
    });

    it("reading, redacting one's own event, rejecting an invite, leaving and logging out still work", async () => {
      expect((await call(s, "GET", "/account/whoami", undefined, alice.token)).status).toBe(200);
      expect((await call(s, "GET", `/rooms/${enc(own)}/state`, undefined, alice.token)).status).toBe(200);
      expect((await call(s, "GET", `/profile/${enc(bob.userId)}`, undefined, alice.token)).status).toBe(200);
      const redacted = await call(s, "PUT", `/rooms/${enc(own)}/redact/${enc(ownEvent)}/own1`, {}, alice.token);
      expect(redacted.status, JSON.stringify(redacted.body)).toBe(200);
      expect((await call(s, "POST", `/rooms/${enc(invitedTo)}/leave`, {}, alice.token)).status).toBe(200);
      expect(await membership(invitedTo, alice)).toBe("leave");
      const left = await call(s, "PUT", `/rooms/${enc(joined)}/state/m.room.member/${enc(alice.userId)}`, { membership: "leave" }, alice.token);
      expect(left.status, JSON.stringify(left.body)).toBe(200);
      expect(await membership(joined, alice)).toBe("leave");
      const extra = await login(alice, "EXTRA");
      expect((await call(s, "POST", "/logout", {}, extra)).status).toBe(200);
    });

    it("capabilities say profile changes are off while suspended", async () => {
      const caps = (await call(s, "GET", "/capabilities", undefined, alice.token)).body.capabilities;
      expect(caps["m.set_displayname"]).toEqual({ enabled: false });
      expect(caps["m.profile_fields"]).toEqual({ enabled: false });
      expect(caps["m.account_moderation"]).toBeUndefined();
    });

    it("lifting the suspension lets the same token send and join again", async () => {
      await moderate(alice, { suspended: false });
      expect((await call(s, "PUT", `/rooms/${enc(own)}/send/m.room.message/after`, { msgtype: "m.text", body: "back" }, alice.token)).status).toBe(200);
      expect((await call(s, "POST", `/join/${enc(other)}`, {}, alice.token)).status).toBe(200);
      expect((await call(s, "PUT", `/profile/${enc(alice.userId)}/displayname`, { displayname: "A" }, alice.token)).status).toBe(200);
    });
  });
});
