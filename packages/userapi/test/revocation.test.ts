// Tokens stop resolving on logout, logout all, password change and deactivation.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, startUserapi, TRANSPORTS, type Harness } from "./harness";

describe.each(TRANSPORTS)("token revocation (%s)", (transport) => {
  let h: Harness;
  let alice: { userId: string; deviceId: string; accessToken: string };
  let laptop: { deviceId: string; accessToken: string };
  const resolves = (accessToken: string) => h.client.queryAccessToken({ body: { accessToken } });

  beforeEach(async () => {
    h = await startUserapi(transport);
    alice = await registerAlice(h.client);
    laptop = await ok(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice", deviceId: "LAPTOP" } }));
  });
  afterEach(async () => h.close());

  it("logout revokes that token and deletes its device, nothing else", async () => {
    const out = await ok(h.client.logout({ body: { accessToken: laptop.accessToken } }));
    expect(out).toEqual({ userId: alice.userId, deletedDeviceIds: ["LAPTOP"] });
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(alice.accessToken));
    const { devices } = await ok(h.client.queryDevices({ body: { userId: alice.userId } }));
    expect(devices.map((d) => d.deviceId)).toEqual([alice.deviceId]);
    // Logging out twice: the token is gone.
    await expectMatrixError(h.client.logout({ body: { accessToken: laptop.accessToken } }), "M_UNKNOWN_TOKEN");
  });

  it("logout all revokes every token of the user, not other users'", async () => {
    const bob = await registerAlice(h.client, "bob");
    const out = await ok(h.client.logoutAll({ body: { userId: alice.userId } }));
    expect(out.deletedDeviceIds.sort()).toEqual([alice.deviceId, "LAPTOP"].sort());
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(bob.accessToken));
  });

  it("a password change revokes the other devices' tokens and keeps the caller's", async () => {
    const out = await ok(h.client.changePassword({ body: { userId: alice.userId, newPassword: "new-pw", exceptDeviceId: "LAPTOP" } }));
    expect(out.deletedDeviceIds).toEqual([alice.deviceId]);
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(laptop.accessToken));
    await expectMatrixError(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice" } }), "M_FORBIDDEN");
    await ok(h.client.passwordLogin({ body: { user: "alice", password: "new-pw" } }));
  });

  it("a password change with logoutDevices false keeps every token", async () => {
    const out = await ok(h.client.changePassword({ body: { userId: alice.userId, newPassword: "new-pw", logoutDevices: false } }));
    expect(out.deletedDeviceIds).toEqual([]);
    await ok(resolves(alice.accessToken));
    await ok(resolves(laptop.accessToken));
  });

  it("deactivation revokes all tokens, clears the profile, blocks login and reuse of the ID", async () => {
    await ok(h.client.setProfileField({ body: { userId: alice.userId, key: "avatar_url", value: "mxc://test.local/abc" } }));
    await ok(h.client.deactivateAccount({ body: { userId: alice.userId } }));
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    expect(await ok(h.client.queryProfile({ body: { userId: alice.userId } }))).toEqual({ displayname: null, avatar_url: null });
    await expectMatrixError(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice" } }), "M_USER_DEACTIVATED", 403);
    // A wrong password learns nothing: the same answer as for an account that never existed.
    const wrong = await expectMatrixError(h.client.passwordLogin({ body: { user: "alice", password: "guess" } }), "M_FORBIDDEN", 403);
    const unknown = await expectMatrixError(h.client.passwordLogin({ body: { user: "nobody", password: "guess" } }), "M_FORBIDDEN", 403);
    expect(wrong.message).toBe(unknown.message);
    await expectMatrixError(h.client.createAccount({ body: { localpart: "alice", password: "x" } }), "M_USER_IN_USE");
    await expectMatrixError(h.client.setProfileField({ body: { userId: alice.userId, key: "displayname", value: "back" } }), "M_USER_DEACTIVATED");
    expect((await ok(h.client.queryAccount({ body: { userId: alice.userId } }))).deactivated).toBe(true);
  });

  it("an account deactivated without its password hash (older deactivations) is refused like an unknown one", async () => {
    await ok(h.client.deactivateAccount({ body: { userId: alice.userId } }));
    await h.db.sql`UPDATE userapi.accounts SET password_hash = NULL WHERE localpart = 'alice'`;
    const known = await expectMatrixError(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice" } }), "M_FORBIDDEN", 403);
    const unknown = await expectMatrixError(h.client.passwordLogin({ body: { user: "nobody", password: "pw-alice" } }), "M_FORBIDDEN", 403);
    expect(known.message).toBe(unknown.message);
  });

  it("deleting a device revokes its token; unknown device IDs are ignored", async () => {
    const out = await ok(h.client.deleteDevices({ body: { userId: alice.userId, deviceIds: ["LAPTOP", "NOPE"] } }));
    expect(out.deletedDeviceIds).toEqual(["LAPTOP"]);
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(alice.accessToken));
  });
});
