// Profiles: displayname and avatar_url with their member-event fan-out, and the v1.16 extended
// fields (GET/PUT/DELETE /profile/{userId}/{keyName}, m.profile_fields).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

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

  const field = (u: User, key: string) => `/profile/${enc(u.userId)}/${key}`;
  /** The user's current m.room.member event in the room, as /state lists it. */
  const memberEvent = async (roomId: string, u: User) => {
    const state = await call(s, "GET", `/rooms/${enc(roomId)}/state`, undefined, u.token);
    return state.body.find((e: { type: string; state_key: string }) => e.type === "m.room.member" && e.state_key === u.userId);
  };

  it("reads the default profile; sets displayname and avatar_url", async () => {
    expect((await call(s, "GET", `/profile/${enc(alice.userId)}`)).body).toEqual({ displayname: "alice" });
    expect((await call(s, "PUT", field(alice, "displayname"), { displayname: "Alice A." }, alice.token)).status).toBe(200);
    expect((await call(s, "PUT", field(alice, "avatar_url"), { avatar_url: "mxc://test.local/abc" }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", `/profile/${enc(alice.userId)}`)).body).toEqual({ displayname: "Alice A.", avatar_url: "mxc://test.local/abc" });
    expect((await call(s, "GET", field(alice, "displayname"))).body).toEqual({ displayname: "Alice A." });
    expect((await call(s, "GET", field(alice, "avatar_url"))).body).toEqual({ avatar_url: "mxc://test.local/abc" });
  });

  it("a profile change reaches every joined room as a new member event; DELETE removes a field there too", async () => {
    const r1 = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, bob.token)).body.room_id;
    const r2 = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(r1)}`, {}, alice.token);
    await call(s, "PUT", field(alice, "displayname"), { displayname: "Queen Alice" }, alice.token);
    for (const room of [r1, r2]) {
      const member = await call(s, "GET", `/rooms/${enc(room)}/state/m.room.member/${enc(alice.userId)}`, undefined, alice.token);
      expect(member.body).toMatchObject({ membership: "join", displayname: "Queen Alice", avatar_url: "mxc://test.local/abc" });
    }
    const joined = await call(s, "GET", `/rooms/${enc(r1)}/joined_members`, undefined, bob.token);
    expect(joined.body.joined[alice.userId]).toEqual({ display_name: "Queen Alice", avatar_url: "mxc://test.local/abc" });
    // Deleting the avatar removes it from the member event.
    expect((await call(s, "DELETE", field(alice, "avatar_url"), undefined, alice.token)).status).toBe(200);
    const after = await call(s, "GET", `/rooms/${enc(r1)}/state/m.room.member/${enc(alice.userId)}`, undefined, alice.token);
    expect(after.body).toMatchObject({ membership: "join", displayname: "Queen Alice" });
    expect(after.body.avatar_url).toBeUndefined();
    expectError(await call(s, "GET", field(alice, "avatar_url")), 404, "M_NOT_FOUND");
    // Deleting what is not set succeeds.
    expect((await call(s, "DELETE", field(alice, "avatar_url"), undefined, alice.token)).status).toBe(200);
  });

  it("null displayname or avatar_url is 400 M_INVALID_PARAM and changes nothing (it used to delete the field)", async () => {
    const carol = await register(s, "carol");
    const room = (await call(s, "POST", "/createRoom", {}, carol.token)).body.room_id;
    await call(s, "PUT", field(carol, "avatar_url"), { avatar_url: "mxc://test.local/carol" }, carol.token);
    const before = await memberEvent(room, carol);
    expectError(await call(s, "PUT", field(carol, "displayname"), { displayname: null }, carol.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", field(carol, "avatar_url"), { avatar_url: null }, carol.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", field(carol, "displayname"), { displayname: 1 }, carol.token), 400, "M_INVALID_PARAM");
    expect((await call(s, "GET", `/profile/${enc(carol.userId)}`)).body).toEqual({ displayname: "carol", avatar_url: "mxc://test.local/carol" });
    expect((await memberEvent(room, carol)).event_id).toBe(before.event_id);
  });

  it("setting the same displayname again sends no member event; a room already showing the new name is skipped", async () => {
    const dave = await register(s, "dave");
    const quiet = (await call(s, "POST", "/createRoom", {}, dave.token)).body.room_id;
    const ahead = (await call(s, "POST", "/createRoom", {}, dave.token)).body.room_id;
    await call(s, "PUT", field(dave, "displayname"), { displayname: "Dave" }, dave.token);
    const first = await memberEvent(quiet, dave);
    expect(first.content.displayname).toBe("Dave");
    await call(s, "PUT", field(dave, "displayname"), { displayname: "Dave" }, dave.token);
    await call(s, "PUT", field(dave, "displayname"), { displayname: "Dave" }, dave.token);
    expect((await memberEvent(quiet, dave)).event_id).toBe(first.event_id);

    // In `ahead` the member event already says "David" (set by hand); the change reaches only `quiet`.
    const own = await call(s, "PUT", `/rooms/${enc(ahead)}/state/m.room.member/${enc(dave.userId)}`, { membership: "join", displayname: "David" }, dave.token);
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const aheadBefore = await memberEvent(ahead, dave);
    await call(s, "PUT", field(dave, "displayname"), { displayname: "David" }, dave.token);
    expect((await memberEvent(ahead, dave)).event_id).toBe(aheadBefore.event_id);
    const quietAfter = await memberEvent(quiet, dave);
    expect(quietAfter.event_id).not.toBe(first.event_id);
    expect(quietAfter.content.displayname).toBe("David");
  });

  it("extended fields: m.tz and custom keys are set, read, listed and deleted, and send no member event", async () => {
    const erin = await register(s, "erin");
    const room = (await call(s, "POST", "/createRoom", {}, erin.token)).body.room_id;
    const before = await memberEvent(room, erin);
    expect((await call(s, "PUT", field(erin, "m.tz"), { "m.tz": "Europe/London" }, erin.token)).status).toBe(200);
    const pets = { cats: 2, names: ["Tom", "Felix"] };
    expect((await call(s, "PUT", field(erin, "com.example.pets"), { "com.example.pets": pets }, erin.token)).status).toBe(200);
    expect((await call(s, "GET", field(erin, "m.tz"))).body).toEqual({ "m.tz": "Europe/London" });
    expect((await call(s, "GET", field(erin, "com.example.pets"))).body).toEqual({ "com.example.pets": pets });
    expect((await call(s, "GET", `/profile/${enc(erin.userId)}`)).body).toEqual({ displayname: "erin", "m.tz": "Europe/London", "com.example.pets": pets });
    expect((await memberEvent(room, erin)).event_id).toBe(before.event_id);

    expect((await call(s, "DELETE", field(erin, "m.tz"), undefined, erin.token)).status).toBe(200);
    expectError(await call(s, "GET", field(erin, "m.tz")), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", field(erin, "org.example.never")), 404, "M_NOT_FOUND");
    // DELETE of displayname removes it, from the member event too.
    expect((await call(s, "DELETE", field(erin, "displayname"), undefined, erin.token)).status).toBe(200);
    expect((await call(s, "GET", `/profile/${enc(erin.userId)}`)).body).toEqual({ "com.example.pets": pets });
    const member = await memberEvent(room, erin);
    expect(member.event_id).not.toBe(before.event_id);
    expect(member.content).toEqual({ membership: "join" });
  });

  it("extended field errors: key mismatch, bad or long keys, non-string m.tz, 64 KiB, someone else's profile", async () => {
    const frank = await register(s, "frank");
    expectError(await call(s, "PUT", field(frank, "m.tz"), { displayname: "UTC" }, frank.token), 400, "M_MISSING_PARAM");
    expectError(await call(s, "PUT", field(frank, "displayname"), {}, frank.token), 400, "M_MISSING_PARAM");
    expectError(await call(s, "PUT", field(frank, "Bad.Key"), { "Bad.Key": 1 }, frank.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", field(frank, "nodot"), { nodot: 1 }, frank.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "GET", field(frank, "nodot")), 400, "M_INVALID_PARAM");
    expectError(await call(s, "DELETE", field(frank, "nodot"), undefined, frank.token), 400, "M_INVALID_PARAM");
    const long = `com.${"a".repeat(252)}`;
    expectError(await call(s, "PUT", field(frank, long), { [long]: 1 }, frank.token), 400, "M_KEY_TOO_LARGE");
    expectError(await call(s, "PUT", field(frank, "m.tz"), { "m.tz": 1 }, frank.token), 400, "M_INVALID_PARAM");
    expect((await call(s, "PUT", field(frank, "com.example.a"), { "com.example.a": "x".repeat(40_000) }, frank.token)).status).toBe(200);
    expectError(await call(s, "PUT", field(frank, "com.example.b"), { "com.example.b": "y".repeat(30_000) }, frank.token), 400, "M_PROFILE_TOO_LARGE");
    expectError(await call(s, "PUT", field(bob, "m.tz"), { "m.tz": "UTC" }, frank.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "DELETE", field(bob, "displayname"), undefined, frank.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "DELETE", field(frank, "m.tz")), 401, "M_MISSING_TOKEN");
    expect(Object.keys((await call(s, "GET", `/profile/${enc(frank.userId)}`)).body).sort()).toEqual(["com.example.a", "displayname"]);
    expect((await call(s, "GET", `/profile/${enc(bob.userId)}`)).body).toEqual({ displayname: "bob" });
  });

  it("errors: someone else's profile 403, unknown user 404, no token 401", async () => {
    expectError(await call(s, "PUT", field(bob, "displayname"), { displayname: "x" }, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/profile/${enc("@ghost:test.local")}`), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", `/profile/${enc("@ghost:test.local")}/m.tz`), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", `/profile/${enc("@ghost:remote.example")}`), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", field(alice, "displayname"), { displayname: "x" }), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", `/profile/not-a-user`), 400, "M_INVALID_PARAM");
  });

  it("/capabilities advertises m.profile_fields", async () => {
    const caps = await call(s, "GET", "/capabilities", undefined, alice.token);
    expect(caps.body.capabilities["m.profile_fields"]).toEqual({ enabled: true });
    expect(caps.body.capabilities["m.set_displayname"]).toEqual({ enabled: true });
  });
});
