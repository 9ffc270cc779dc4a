// userapi resolves tokens from memory once seen: every token here is used (so cached) before it
// is revoked over the client API, and must be refused by the very next request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectError, register, startServer, type TestServer, type User } from "./harness";

const passwordAuth = (u: User, session: string) => ({
  type: "m.login.password",
  identifier: { type: "m.id.user", user: u.userId },
  password: u.password,
  session,
});

describe("revoked tokens are refused at once, with the token cache warm", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  const whoami = (token: string) => call(s, "GET", "/account/whoami", undefined, token);
  const login = async (u: User, deviceId?: string) =>
    (await call(s, "POST", "/login", { type: "m.login.password", user: u.userId, password: u.password, ...(deviceId ? { device_id: deviceId } : {}) }))
      .body.access_token as string;
  const warm = async (...tokens: string[]) => {
    for (const t of tokens) for (let i = 0; i < 2; i++) expect((await whoami(t)).status).toBe(200);
  };
  /** Runs a UIA-protected request: the 401 challenge, then the password stage. */
  const withPassword = async (u: User, method: "POST" | "DELETE", path: string, body: Record<string, unknown>) => {
    const first = await call(s, method, path, body, u.token);
    expect(first.status).toBe(401);
    const done = await call(s, method, path, { ...body, auth: passwordAuth(u, first.body.session) }, u.token);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  };

  it("logout and logout/all", async () => {
    const u = await register(s, "rev1");
    const [t1, t2] = [await login(u), await login(u)];
    await warm(u.token, t1, t2);
    expect((await call(s, "POST", "/logout", undefined, t1)).status).toBe(200);
    expectError(await whoami(t1), 401, "M_UNKNOWN_TOKEN");
    expect((await whoami(t2)).status).toBe(200);
    expect((await call(s, "POST", "/logout/all", {}, t2)).status).toBe(200);
    for (const t of [u.token, t2]) expectError(await whoami(t), 401, "M_UNKNOWN_TOKEN");
  });

  it("password change, logging other devices out or not", async () => {
    const u = await register(s, "rev2");
    const other = await login(u);
    await warm(u.token, other);
    await withPassword(u, "POST", "/account/password", { new_password: "pw-new", logout_devices: false });
    expect((await whoami(other)).status).toBe(200);
    u.password = "pw-new";
    await withPassword(u, "POST", "/account/password", { new_password: "pw-newer" });
    expectError(await whoami(other), 401, "M_UNKNOWN_TOKEN");
    expect((await whoami(u.token)).status).toBe(200);
  });

  it("device deletion, single and bulk, and a new login taking over a device ID", async () => {
    const u = await register(s, "rev3");
    const [a, b, c, d] = [await login(u, "A"), await login(u, "B"), await login(u, "C"), await login(u, "D")];
    await warm(a, b, c, d);
    await withPassword(u, "DELETE", "/devices/A", {});
    expectError(await whoami(a), 401, "M_UNKNOWN_TOKEN");
    await withPassword(u, "POST", "/delete_devices", { devices: ["B", "C"] });
    for (const t of [b, c]) expectError(await whoami(t), 401, "M_UNKNOWN_TOKEN");
    const d2 = await login(u, "D");
    expectError(await whoami(d), 401, "M_UNKNOWN_TOKEN");
    expect((await whoami(d2)).body.device_id).toBe("D");
  });

  it("deactivation", async () => {
    const u = await register(s, "rev4");
    const other = await login(u);
    await warm(u.token, other);
    await withPassword(u, "POST", "/account/deactivate", {});
    for (const t of [u.token, other]) expectError(await whoami(t), 401, "M_UNKNOWN_TOKEN");
  });
});
