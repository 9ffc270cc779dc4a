// Registration, login and token resolution, through both transports.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, SERVER, startUserapi, TRANSPORTS, warmPool, type Harness } from "./harness";

describe.each(TRANSPORTS)("accounts and login (%s)", (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startUserapi(transport);
  });
  afterEach(async () => h.close());

  it("register → login → resolve the token to user, device, admin flag", async () => {
    const reg = await registerAlice(h.client);
    expect(reg.userId).toBe(`@alice:${SERVER}`);
    expect(reg.accessToken).toMatch(/^syt_/);

    const login = await ok(h.client.passwordLogin({
      body: { identifier: { type: "m.id.user", user: "alice" }, password: "pw-alice", deviceId: "LAPTOP", displayName: "Laptop" },
    }));
    expect(login).toMatchObject({ userId: `@alice:${SERVER}`, deviceId: "LAPTOP" });

    const who = await ok(h.client.queryAccessToken({ body: { accessToken: login.accessToken } }));
    expect(who).toEqual({ userId: `@alice:${SERVER}`, deviceId: "LAPTOP", isAdmin: false, accountType: "user", suspended: false });
    // The registration token still works too: two devices, two tokens.
    const first = await ok(h.client.queryAccessToken({ body: { accessToken: reg.accessToken } }));
    expect(first.deviceId).toBe(reg.deviceId);
  });

  it("login accepts a full user ID, the legacy `user` field and upper case", async () => {
    await registerAlice(h.client);
    for (const creds of [
      { identifier: { type: "m.id.user", user: `@alice:${SERVER}` } },
      { user: "alice" },
      { identifier: { type: "m.id.user", user: "ALICE" } },
    ]) {
      const body = await ok(h.client.passwordLogin({ body: { ...creds, password: "pw-alice" } }));
      expect(body.userId).toBe(`@alice:${SERVER}`);
    }
  });

  it("wrong password, unknown user and another server's user are M_FORBIDDEN", async () => {
    await registerAlice(h.client);
    await expectMatrixError(h.client.passwordLogin({ body: { user: "alice", password: "nope" } }), "M_FORBIDDEN", 403);
    await expectMatrixError(h.client.passwordLogin({ body: { user: "bob", password: "pw-alice" } }), "M_FORBIDDEN", 403);
    await expectMatrixError(h.client.passwordLogin({ body: { user: "@alice:elsewhere", password: "pw-alice" } }), "M_FORBIDDEN");
    await expectMatrixError(
      h.client.passwordLogin({ body: { identifier: { type: "m.id.thirdparty", medium: "email", address: "a@b" }, password: "x" } }),
      "M_FORBIDDEN",
    );
  });

  it("an unknown token is M_UNKNOWN_TOKEN with status 401", async () => {
    const err = await expectMatrixError(h.client.queryAccessToken({ body: { accessToken: "syt_nothing" } }), "M_UNKNOWN_TOKEN", 401);
    expect(err.extras.soft_logout).toBe(false);
  });

  it("a taken localpart is M_USER_IN_USE, also in another case", async () => {
    await registerAlice(h.client);
    await expectMatrixError(h.client.createAccount({ body: { localpart: "alice", password: "x" } }), "M_USER_IN_USE");
    await expectMatrixError(h.client.createAccount({ body: { localpart: "Alice", password: "x" } }), "M_USER_IN_USE");
    await expectMatrixError(h.client.checkUsernameAvailable({ body: { username: "alice" } }), "M_USER_IN_USE");
    const body = await ok(h.client.checkUsernameAvailable({ body: { username: "bob" } }));
    expect(body.available).toBe(true);
  });

  it("concurrent registrations of one localpart: one succeeds, the rest are M_USER_IN_USE", async () => {
    await warmPool(h);
    const attempts = await Promise.allSettled(
      Array.from({ length: 4 }, () => h.client.createAccount({ body: { localpart: "race", password: "pw", login: {} } })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts) if (a.status === "rejected") expect((a.reason as { errcode: string }).errcode).toBe("M_USER_IN_USE");
  });

  it("inhibit_login creates the account without a device; the initial display name is the localpart", async () => {
    const body = await ok(h.client.createAccount({ body: { localpart: "carol", password: "pw" } }));
    expect(body).toEqual({ userId: `@carol:${SERVER}` });
    const devices = await ok(h.client.queryDevices({ body: { userId: body.userId } }));
    expect(devices.devices).toEqual([]);
    const profile = await ok(h.client.queryProfile({ body: { userId: body.userId } }));
    expect(profile.displayname).toBe("carol");
  });

  it("a generated localpart is valid and unique", async () => {
    const a = await ok(h.client.createAccount({ body: { password: "pw" } }));
    const b = await ok(h.client.createAccount({ body: { password: "pw" } }));
    expect(a.userId).toMatch(new RegExp(`^@[a-z0-9]+:${SERVER.replace(".", "\\.")}$`));
    expect(a.userId).not.toBe(b.userId);
  });

  it("a second login on a known device ID replaces that device's token", async () => {
    await registerAlice(h.client);
    const login = (n: string) => h.client.passwordLogin({ body: { user: "alice", password: "pw-alice", deviceId: "D1", displayName: n } });
    const first = await ok(login("one"));
    const second = await ok(login("two"));
    await expectMatrixError(h.client.queryAccessToken({ body: { accessToken: first.accessToken } }), "M_UNKNOWN_TOKEN");
    expect((await ok(h.client.queryAccessToken({ body: { accessToken: second.accessToken } }))).deviceId).toBe("D1");
    // initial_device_display_name is ignored for a known device.
    expect((await ok(h.client.queryDevice({ body: { userId: `@alice:${SERVER}`, deviceId: "D1" } }))).displayName).toBe("one");
  });

  it("admin flag and account type are carried on the token", async () => {
    const body = await ok(h.client.createAccount({ body: { localpart: "root", password: "pw", isAdmin: true, login: {} } }));
    const who = await ok(h.client.queryAccessToken({ body: { accessToken: body.accessToken! } }));
    expect(who.isAdmin).toBe(true);
    const acct = await ok(h.client.queryAccount({ body: { userId: body.userId } }));
    expect(acct).toMatchObject({ isAdmin: true, deactivated: false, accountType: "user", userType: null });
  });

  it("createSession logs an existing user in without a password, never a deactivated one", async () => {
    const alice = await registerAlice(h.client);
    const s = await ok(h.client.createSession({ body: { userId: alice.userId, deviceId: "SSO", displayName: "via SSO" } }));
    expect(s).toMatchObject({ userId: alice.userId, deviceId: "SSO" });
    expect((await ok(h.client.queryAccessToken({ body: { accessToken: s.accessToken } }))).deviceId).toBe("SSO");
    await expectMatrixError(h.client.createSession({ body: { userId: `@nobody:${SERVER}` } }), "M_NOT_FOUND");
    await ok(h.client.deactivateAccount({ body: { userId: alice.userId } }));
    await expectMatrixError(h.client.createSession({ body: { userId: alice.userId } }), "M_USER_DEACTIVATED");
  });
});
