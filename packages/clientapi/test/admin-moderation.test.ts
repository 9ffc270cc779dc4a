// The server-administration endpoints of admin.yaml over HTTP: GET/PUT /v1/admin/lock and
// /v1/admin/suspend (admins only, checked before any look-up; local, active, non-admin targets;
// not oneself) and GET /v3/admin/whois (an admin, or the user about themself).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, SERVER, startServer, type TestServer, type User } from "./harness";

describe("admin: account moderation and whois", () => {
  let s: TestServer;
  let admin: User;
  let other: User;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    s = await startServer();
    const made = async (localpart: string): Promise<User> => {
      const { body } = await s.userapi.createAccount({ body: { localpart, password: `pw-${localpart}`, isAdmin: true, login: { deviceId: "ADMIN" } } });
      const b = body as { userId: string; deviceId: string; accessToken: string };
      return { userId: b.userId, deviceId: b.deviceId, token: b.accessToken, password: `pw-${localpart}` };
    };
    admin = await made("root");
    other = await made("root2");
    alice = await register(s, "alice");
    bob = await register(s, "bob");
  });
  afterAll(() => s.close());

  const v1 = (what: "lock" | "suspend", userId: string) => `/_matrix/client/v1/admin/${what}/${enc(userId)}`;

  it("an admin locks and unlocks; GET tells; the locked user's requests answer M_USER_LOCKED meanwhile", async () => {
    expect(await call(s, "GET", v1("lock", alice.userId), undefined, admin.token)).toEqual({ status: 200, body: { locked: false } });
    expect(await call(s, "PUT", v1("lock", alice.userId), { locked: true }, admin.token)).toEqual({ status: 200, body: { locked: true } });
    expect(await call(s, "GET", v1("lock", alice.userId), undefined, admin.token)).toEqual({ status: 200, body: { locked: true } });
    const locked = await call(s, "GET", "/account/whoami", undefined, alice.token);
    expectError(locked, 401, "M_USER_LOCKED");
    expect(locked.body.soft_logout).toBe(true);
    expect(await call(s, "PUT", v1("lock", alice.userId), { locked: false }, admin.token)).toEqual({ status: 200, body: { locked: false } });
    expect((await call(s, "GET", "/account/whoami", undefined, alice.token)).status).toBe(200);
  });

  it("an admin suspends and unsuspends; the suspended user's sends answer M_USER_SUSPENDED meanwhile", async () => {
    const room = (await call(s, "POST", "/createRoom", {}, alice.token)).body.room_id as string;
    expect(await call(s, "PUT", v1("suspend", alice.userId), { suspended: true }, admin.token)).toEqual({ status: 200, body: { suspended: true } });
    expect(await call(s, "GET", v1("suspend", alice.userId), undefined, admin.token)).toEqual({ status: 200, body: { suspended: true } });
    expectError(await call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/t1`, { msgtype: "m.text", body: "x" }, alice.token), 403, "M_USER_SUSPENDED");
    // Suspension and lock are separate flags.
    expect(await call(s, "GET", v1("lock", alice.userId), undefined, admin.token)).toEqual({ status: 200, body: { locked: false } });
    expect(await call(s, "PUT", v1("suspend", alice.userId), { suspended: false }, admin.token)).toEqual({ status: 200, body: { suspended: false } });
    expect((await call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/t1`, { msgtype: "m.text", body: "x" }, alice.token)).status).toBe(200);
  });

  it("errors: non-admin 403 before any look-up, remote or malformed 400, unknown or deactivated 404, admins and oneself 403, bad body 400", async () => {
    for (const what of ["lock", "suspend"] as const) {
      const flag = what === "lock" ? "locked" : "suspended";
      for (const target of [alice.userId, "@nobody:test.local", "@x:elsewhere.org"]) {
        expectError(await call(s, "GET", v1(what, target), undefined, bob.token), 403, "M_FORBIDDEN");
        expectError(await call(s, "PUT", v1(what, target), { [flag]: true }, bob.token), 403, "M_FORBIDDEN");
      }
      expectError(await call(s, "GET", v1(what, "@x:elsewhere.org"), undefined, admin.token), 400, "M_INVALID_PARAM");
      expectError(await call(s, "PUT", v1(what, "@x:elsewhere.org"), { [flag]: true }, admin.token), 400, "M_INVALID_PARAM");
      expectError(await call(s, "GET", v1(what, "not-a-user-id"), undefined, admin.token), 400, "M_INVALID_PARAM");
      expectError(await call(s, "GET", v1(what, `@nobody:${SERVER}`), undefined, admin.token), 404, "M_NOT_FOUND");
      expectError(await call(s, "PUT", v1(what, `@nobody:${SERVER}`), { [flag]: true }, admin.token), 404, "M_NOT_FOUND");
      expectError(await call(s, "GET", v1(what, other.userId), undefined, admin.token), 403, "M_FORBIDDEN");
      expectError(await call(s, "PUT", v1(what, other.userId), { [flag]: true }, admin.token), 403, "M_FORBIDDEN");
      expectError(await call(s, "PUT", v1(what, admin.userId), { [flag]: true }, admin.token), 403, "M_FORBIDDEN");
      expectError(await call(s, "PUT", v1(what, bob.userId), {}, admin.token), 400, "M_BAD_JSON");
      expectError(await call(s, "PUT", v1(what, bob.userId), { [flag]: "yes" }, admin.token), 400, "M_BAD_JSON");
    }
    // None of that changed anyone.
    const flags = (userId: string) => s.userapi.queryAccount({ body: { userId } }).then((r) => r.body as { locked: boolean; suspended: boolean });
    for (const u of [alice, bob, admin, other]) expect(await flags(u.userId)).toMatchObject({ locked: false, suspended: false });
    // Deactivated: gone as far as moderation goes.
    const carol = await register(s, "carol");
    await s.userapi.deactivateAccount({ body: { userId: carol.userId } });
    expectError(await call(s, "GET", v1("lock", carol.userId), undefined, admin.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", v1("suspend", carol.userId), { suspended: true }, admin.token), 404, "M_NOT_FOUND");
  });

  it("capabilities offer m.account_moderation to admins only", async () => {
    expect((await call(s, "GET", "/capabilities", undefined, admin.token)).body.capabilities["m.account_moderation"]).toEqual({ lock: true, suspend: true });
    expect((await call(s, "GET", "/capabilities", undefined, bob.token)).body.capabilities["m.account_moderation"]).toBeUndefined();
  });

  it("whois: an admin about anyone local, a user about themself; devices with their last connection", async () => {
    // A device never seen yet, then one request with a user agent (last-seen is recorded in the background).
    const made = (await s.userapi.createAccount({ body: { localpart: "dan", login: { deviceId: "PHONE" } } })).body as { userId: string; accessToken: string };
    const dan = { userId: made.userId, deviceId: "PHONE", token: made.accessToken };
    const unseen = await call(s, "GET", `/admin/whois/${enc(dan.userId)}`, undefined, admin.token);
    expect(unseen.body).toEqual({ user_id: dan.userId, devices: { PHONE: { sessions: [{ connections: [] }] } } });
    const res = await s.server.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami", headers: { authorization: `Bearer ${dan.token}`, "user-agent": "whois-test/1" } });
    expect(res.statusCode).toBe(200);
    for (let i = 0; i < 100; i++) {
      const { body } = await s.userapi.queryDevice({ body: { userId: dan.userId, deviceId: dan.deviceId } });
      if ((body as { lastSeenTs: number | null }).lastSeenTs !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const byAdmin = await call(s, "GET", `/admin/whois/${enc(dan.userId)}`, undefined, admin.token);
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(200);
    expect(byAdmin.body).toEqual({
      user_id: dan.userId,
      devices: { PHONE: { sessions: [{ connections: [{ ip: expect.any(String), user_agent: "whois-test/1", last_seen: expect.any(Number) }] }] } },
    });
    expect((await call(s, "GET", `/admin/whois/${enc(dan.userId)}`, undefined, dan.token)).body).toEqual(byAdmin.body);

    expectError(await call(s, "GET", `/admin/whois/${enc(bob.userId)}`, undefined, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/admin/whois/${enc("@nobody:test.local")}`, undefined, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/admin/whois/${enc("@nobody:test.local")}`, undefined, admin.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", `/admin/whois/${enc("@x:elsewhere.org")}`, undefined, admin.token), 400, "M_INVALID_PARAM");
  });
});
