// Devices and account changes behind user-interactive auth (m.login.password).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectError, register, startServer, type TestServer, type User } from "./harness";

const passwordAuth = (u: User, session?: string) => ({
  type: "m.login.password",
  identifier: { type: "m.id.user", user: u.userId },
  password: u.password,
  ...(session ? { session } : {}),
});

describe("devices", () => {
  let s: TestServer;
  let frank: User;
  beforeAll(async () => {
    s = await startServer();
    frank = await register(s, "frank");
  });
  afterAll(() => s.close());

  const login = async (deviceId: string) =>
    (await call(s, "POST", "/login", { type: "m.login.password", user: "frank", password: frank.password, device_id: deviceId })).body
      .access_token as string;

  it("lists, shows and renames devices; an unknown one is 404 M_NOT_FOUND", async () => {
    await login("TABLET");
    const list = await call(s, "GET", "/devices", undefined, frank.token);
    expect(list.body.devices.map((d: { device_id: string }) => d.device_id).sort()).toEqual([frank.deviceId, "TABLET"].sort());
    expect((await call(s, "PUT", "/devices/TABLET", { display_name: "my tablet" }, frank.token)).status).toBe(200);
    expect((await call(s, "GET", "/devices/TABLET", undefined, frank.token)).body).toMatchObject({ device_id: "TABLET", display_name: "my tablet" });
    expectError(await call(s, "GET", "/devices/NOPE", undefined, frank.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", "/devices/NOPE", { display_name: "x" }, frank.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", "/devices/TABLET", { display_name: 5 }, frank.token), 400, "M_BAD_JSON");
  });

  it("DELETE /devices/{id} asks for the password, then deletes the device and its token", async () => {
    const token = await login("OLDPHONE");
    const first = await call(s, "DELETE", "/devices/OLDPHONE", {}, frank.token);
    expect(first.status).toBe(401);
    expect(first.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    const wrong = await call(s, "DELETE", "/devices/OLDPHONE", { auth: { ...passwordAuth(frank, first.body.session), password: "bad" } }, frank.token);
    expect(wrong.status).toBe(401);
    expect(wrong.body.errcode).toBe("M_FORBIDDEN");
    const done = await call(s, "DELETE", "/devices/OLDPHONE", { auth: passwordAuth(frank, first.body.session) }, frank.token);
    expect(done.status).toBe(200);
    expectError(await call(s, "GET", "/account/whoami", undefined, token), 401, "M_UNKNOWN_TOKEN");
    // A retry of a delete that went through: the password again, then 200 (the spec has no 404 here).
    const retry = await call(s, "DELETE", "/devices/OLDPHONE", {}, frank.token);
    expect(retry.status).toBe(401);
    expect((await call(s, "DELETE", "/devices/OLDPHONE", { auth: passwordAuth(frank, retry.body.session) }, frank.token)).status).toBe(200);
  });

  it("DELETE /devices/{id} of a device that never existed asks for the password first, then answers 200", async () => {
    const ids = async () => (await call(s, "GET", "/devices", undefined, frank.token)).body.devices.map((d: { device_id: string }) => d.device_id).sort();
    const before = await ids();
    // No body, or a body without auth: the challenge, not 404.
    const first = await call(s, "DELETE", "/devices/NEVER", undefined, frank.token);
    expect(first.status).toBe(401);
    expect(first.body.flows).toEqual([{ stages: ["m.login.password"] }]);
    expect((await call(s, "DELETE", "/devices/NEVER", {}, frank.token)).status).toBe(401);
    const wrong = await call(s, "DELETE", "/devices/NEVER", { auth: { ...passwordAuth(frank, first.body.session), password: "bad" } }, frank.token);
    expectError(wrong, 401, "M_FORBIDDEN");
    const done = await call(s, "DELETE", "/devices/NEVER", { auth: passwordAuth(frank, first.body.session) }, frank.token);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toEqual({});
    expect(await ids()).toEqual(before);
    expect((await call(s, "GET", "/account/whoami", undefined, frank.token)).status).toBe(200);
  });

  it("an authenticated request records the device as last seen (IP and time)", async () => {
    const created = (await s.userapi.createAccount({ body: { localpart: "seen", password: "pw", login: { deviceId: "SEEN" } } })).body as {
      accessToken: string;
    };
    const device = async () => (await call(s, "GET", "/devices/SEEN", undefined, created.accessToken)).body;
    expect((await call(s, "GET", "/account/whoami", undefined, created.accessToken)).status).toBe(200);
    // Recording is fire-and-forget: wait for it (bounded), never for a fixed time.
    let d = await device();
    for (let i = 0; i < 100 && d.last_seen_ip === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      d = await device();
    }
    expect(d.last_seen_ip).toBe("127.0.0.1");
    expect(typeof d.last_seen_ts).toBe("number");
  });

  it("POST /delete_devices deletes several after UIA", async () => {
    const t1 = await login("D1");
    const t2 = await login("D2");
    const first = await call(s, "POST", "/delete_devices", { devices: ["D1", "D2"] }, frank.token);
    expect(first.status).toBe(401);
    const done = await call(s, "POST", "/delete_devices", { devices: ["D1", "D2"], auth: passwordAuth(frank, first.body.session) }, frank.token);
    expect(done.status).toBe(200);
    for (const t of [t1, t2]) expectError(await call(s, "GET", "/account/whoami", undefined, t), 401, "M_UNKNOWN_TOKEN");
    // The same again (a retry), and IDs that never existed: UIA, then 200, as for DELETE /devices/{id}.
    const again = await call(s, "POST", "/delete_devices", { devices: ["D1", "D2", "NEVER"] }, frank.token);
    expect(again.status).toBe(401);
    const redone = await call(s, "POST", "/delete_devices", { devices: ["D1", "D2", "NEVER"], auth: passwordAuth(frank, again.body.session) }, frank.token);
    expect(redone.status, JSON.stringify(redone.body)).toBe(200);
    expect((await call(s, "GET", "/account/whoami", undefined, frank.token)).status).toBe(200);
    expectError(await call(s, "POST", "/delete_devices", { devices: "D1" }, frank.token), 400, "M_BAD_JSON");
  });
});

describe("password change and deactivation", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it("changes the password; other devices are logged out, this one stays", async () => {
    const gina = await register(s, "gina");
    const other = (await call(s, "POST", "/login", { type: "m.login.password", user: "gina", password: gina.password })).body.access_token;
    const first = await call(s, "POST", "/account/password", { new_password: "new-pw" }, gina.token);
    expect(first.status).toBe(401);
    const done = await call(s, "POST", "/account/password", { new_password: "new-pw", auth: passwordAuth(gina, first.body.session) }, gina.token);
    expect(done.status).toBe(200);
    expect((await call(s, "GET", "/account/whoami", undefined, gina.token)).status).toBe(200);
    expectError(await call(s, "GET", "/account/whoami", undefined, other), 401, "M_UNKNOWN_TOKEN");
    expectError(await call(s, "POST", "/login", { type: "m.login.password", user: "gina", password: gina.password }), 403, "M_FORBIDDEN");
    expect((await call(s, "POST", "/login", { type: "m.login.password", user: "gina", password: "new-pw" })).status).toBe(200);
  });

  it("logout_devices: false keeps the other sessions", async () => {
    const hal = await register(s, "hal");
    const other = (await call(s, "POST", "/login", { type: "m.login.password", user: "hal", password: hal.password })).body.access_token;
    const first = await call(s, "POST", "/account/password", { new_password: "pw2", logout_devices: false }, hal.token);
    await call(s, "POST", "/account/password", { new_password: "pw2", logout_devices: false, auth: passwordAuth(hal, first.body.session) }, hal.token);
    expect((await call(s, "GET", "/account/whoami", undefined, other)).status).toBe(200);
  });

  it("deactivation needs the password, leaves rooms and kills every token", async () => {
    const ivy = await register(s, "ivy");
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, ivy.token)).body.room_id;
    const owner = await register(s, "ivyfriend");
    await call(s, "POST", `/join/${encodeURIComponent(room)}`, {}, owner.token);
    const first = await call(s, "POST", "/account/deactivate", {}, ivy.token);
    expect(first.status).toBe(401);
    const done = await call(s, "POST", "/account/deactivate", { auth: passwordAuth(ivy, first.body.session) }, ivy.token);
    expect(done.status).toBe(200);
    expectError(await call(s, "GET", "/account/whoami", undefined, ivy.token), 401, "M_UNKNOWN_TOKEN");
    const member = await call(s, "GET", `/rooms/${encodeURIComponent(room)}/state/m.room.member/${encodeURIComponent(ivy.userId)}`, undefined, owner.token);
    expect(member.body.membership).toBe("leave");
    // Logging in: a wrong password gets what an unknown user gets; only the password's owner is
    // told the account is deactivated.
    const login = (user: string, password: string) => call(s, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user }, password });
    const wrong = await login("ivy", "not-ivys");
    const unknown = await login("nobody-here", "not-ivys");
    expectError(wrong, 403, "M_FORBIDDEN");
    expect(wrong.body).toEqual(unknown.body);
    expectError(await login("ivy", ivy.password), 403, "M_USER_DEACTIVATED");
  });

  it("deactivation deletes the account's key backups, and only theirs", async () => {
    const backup = { algorithm: "m.megolm_backup.v1.curve25519-aes-sha2", auth_data: { public_key: "pk" } };
    const key = { first_message_index: 0, forwarded_count: 0, is_verified: false, session_data: { ciphertext: "c" } };
    const jay = await register(s, "jay");
    const kim = await register(s, "kim");
    for (const u of [jay, kim]) {
      const { version } = (await call(s, "POST", "/room_keys/version", backup, u.token)).body;
      expect((await call(s, "PUT", `/room_keys/keys/${encodeURIComponent("!r:test.local")}/sess?version=${version}`, key, u.token)).status).toBe(200);
    }
    const first = await call(s, "POST", "/account/deactivate", {}, jay.token);
    expect((await call(s, "POST", "/account/deactivate", { auth: passwordAuth(jay, first.body.session) }, jay.token)).status).toBe(200);
    // Only the keyserver can still be asked about a deactivated account.
    await expect(s.keyserver.queryKeyBackup({ body: { userId: jay.userId } })).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
    await expect(s.keyserver.queryBackupKeys({ body: { userId: jay.userId, version: "1" } })).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
    expect((await call(s, "GET", "/room_keys/version", undefined, kim.token)).body).toMatchObject({ count: 1 });
  });
});
