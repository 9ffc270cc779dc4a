// Registration, login, logout and whoami over HTTP against real userapi/roomserver instances.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectError, register, startServer, type TestServer } from "./harness";

describe("registration (open: m.login.dummy)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it("answers the first request with a 401 challenge, then registers and logs in", async () => {
    const first = await call(s, "POST", "/register", { username: "alice", password: "secret" });
    expect(first.status).toBe(401);
    expect(first.body.flows).toEqual([{ stages: ["m.login.dummy"] }]);
    expect(typeof first.body.session).toBe("string");
    expect(first.body.params).toEqual({});
    const done = await call(s, "POST", "/register", {
      username: "alice",
      password: "secret",
      initial_device_display_name: "phone",
      auth: { type: "m.login.dummy", session: first.body.session },
    });
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe("@alice:test.local");
    const who = await call(s, "GET", "/account/whoami", undefined, done.body.access_token);
    expect(who.body).toEqual({ user_id: "@alice:test.local", device_id: done.body.device_id, is_guest: false });
  });

  it("refuses a taken username before asking for auth", async () => {
    await register(s, "taken");
    expectError(await call(s, "POST", "/register", { username: "taken", password: "x" }), 400, "M_USER_IN_USE");
  });

  it("inhibit_login creates the account without a session", async () => {
    const first = await call(s, "POST", "/register", { username: "quiet", password: "pw" });
    const done = await call(s, "POST", "/register", {
      username: "quiet",
      password: "pw",
      inhibit_login: true,
      auth: { type: "m.login.dummy", session: first.body.session },
    });
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe("@quiet:test.local");
    expect(done.body.access_token).toBeUndefined();
    expect(done.body.device_id).toBeUndefined();
  });

  it("refuses guests with 403 M_GUEST_ACCESS_FORBIDDEN", async () => {
    expectError(await call(s, "POST", "/register?kind=guest", {}), 403, "M_GUEST_ACCESS_FORBIDDEN");
  });

  it("/register/available: free, taken, invalid", async () => {
    expect((await call(s, "GET", "/register/available?username=freebie")).body).toEqual({ available: true });
    expectError(await call(s, "GET", "/register/available?username=taken"), 400, "M_USER_IN_USE");
    expectError(await call(s, "GET", "/register/available?username=bad%20name"), 400, "M_INVALID_USERNAME");
  });

  it("/register/available: no username is 400 M_MISSING_PARAM; an empty one M_INVALID_USERNAME; two M_INVALID_PARAM", async () => {
    const missing = await call(s, "GET", "/register/available");
    expectError(missing, 400, "M_MISSING_PARAM");
    expect(missing.body.error).toContain("username");
    expectError(await call(s, "GET", "/register/available?other=1"), 400, "M_MISSING_PARAM");
    expectError(await call(s, "GET", "/register/available?username="), 400, "M_INVALID_USERNAME");
    expectError(await call(s, "GET", "/register/available?username=a&username=b"), 400, "M_INVALID_PARAM");
  });

  it("rejects a body field of the wrong type with M_BAD_JSON naming it", async () => {
    const res = await call(s, "POST", "/register", { username: 42 });
    expectError(res, 400, "M_BAD_JSON");
    expect(res.body.error).toContain("body.username");
  });

  it("rejects a body that is not JSON with M_NOT_JSON", async () => {
    const res = await s.server.inject({
      method: "POST",
      url: "/_matrix/client/v3/register",
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errcode).toBe("M_NOT_JSON");
  });
});

describe("registration with tokens", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ registration: { open: false, tokensEnabled: true } });
    await s.userapi.createRegistrationToken({ body: { token: "letmein", usesAllowed: 1 } });
  });
  afterAll(() => s.close());

  it("offers m.login.registration_token, refuses a bad token, accepts a good one", async () => {
    const first = await call(s, "POST", "/register", { username: "bob", password: "pw" });
    expect(first.status).toBe(401);
    expect(first.body.flows).toEqual([{ stages: ["m.login.registration_token"] }]);
    const bad = await call(s, "POST", "/register", {
      username: "bob",
      password: "pw",
      auth: { type: "m.login.registration_token", token: "nope", session: first.body.session },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.errcode).toBe("M_FORBIDDEN");
    const good = await call(s, "POST", "/register", {
      username: "bob",
      password: "pw",
      auth: { type: "m.login.registration_token", token: "letmein", session: first.body.session },
    });
    expect(good.status).toBe(200);
    expect(good.body.user_id).toBe("@bob:test.local");
  });

  it("token validity endpoint (v1 path)", async () => {
    const res = await call(s, "GET", "/_matrix/client/v1/register/m.login.registration_token/validity?token=letmein");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: false }); // its one use is spent
    expect((await call(s, "GET", "/_matrix/client/v1/register/m.login.registration_token/validity?token=zzz")).body).toEqual({ valid: false });
    expectError(await call(s, "GET", "/_matrix/client/v1/register/m.login.registration_token/validity"), 400, "M_MISSING_PARAM");
  });

  it("the dummy flow is not accepted", async () => {
    const first = await call(s, "POST", "/register", { username: "carol", password: "pw" });
    const res = await call(s, "POST", "/register", { username: "carol", password: "pw", auth: { type: "m.login.dummy", session: first.body.session } });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe("M_FORBIDDEN");
  });
});

describe("closed registration", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ registration: { open: false, tokensEnabled: false } });
  });
  afterAll(() => s.close());

  it("answers 403 M_FORBIDDEN, even for a taken username (no probing)", async () => {
    expectError(await call(s, "POST", "/register", { username: "dave", password: "pw" }), 403, "M_FORBIDDEN");
    await s.userapi.createAccount({ body: { localpart: "existing", password: "pw" } });
    expectError(await call(s, "POST", "/register", { username: "existing", password: "pw" }), 403, "M_FORBIDDEN");
    expectError(await call(s, "POST", "/register", { auth: { type: "m.login.dummy" } }), 403, "M_FORBIDDEN");
  });
});

describe("login, whoami, logout", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await register(s, "erin", "erin-pw");
  });
  afterAll(() => s.close());

  it("GET /login offers m.login.password", async () => {
    expect((await call(s, "GET", "/login")).body).toEqual({ flows: [{ type: "m.login.password" }] });
  });

  it("logs in with an m.id.user identifier and with the legacy user field", async () => {
    const a = await call(s, "POST", "/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "erin" },
      password: "erin-pw",
      device_id: "LAPTOP",
      initial_device_display_name: "laptop",
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ user_id: "@erin:test.local", device_id: "LAPTOP" });
    const b = await call(s, "POST", "/login", { type: "m.login.password", user: "@erin:test.local", password: "erin-pw" });
    expect(b.status).toBe(200);
    expect(b.body.access_token).not.toBe(a.body.access_token);
    const devices = await call(s, "GET", "/devices", undefined, a.body.access_token);
    expect(devices.body.devices.find((d: { device_id: string }) => d.device_id === "LAPTOP").display_name).toBe("laptop");
  });

  it("a wrong password is 403 M_FORBIDDEN; an unknown login type 400 M_UNKNOWN", async () => {
    expectError(await call(s, "POST", "/login", { type: "m.login.password", user: "erin", password: "nope" }), 403, "M_FORBIDDEN");
    expectError(await call(s, "POST", "/login", { type: "m.login.sso" }), 400, "M_UNKNOWN");
  });

  it("logout kills the token; logout/all kills every token", async () => {
    const login = () => call(s, "POST", "/login", { type: "m.login.password", user: "erin", password: "erin-pw" });
    const t1 = (await login()).body.access_token;
    const t2 = (await login()).body.access_token;
    const t3 = (await login()).body.access_token;
    expect((await call(s, "POST", "/logout", undefined, t1)).status).toBe(200);
    const dead = await call(s, "GET", "/account/whoami", undefined, t1);
    expectError(dead, 401, "M_UNKNOWN_TOKEN");
    expect(dead.body.soft_logout).toBe(false);
    expect((await call(s, "GET", "/account/whoami", undefined, t2)).status).toBe(200);
    expect((await call(s, "POST", "/logout/all", {}, t2)).status).toBe(200);
    expectError(await call(s, "GET", "/account/whoami", undefined, t3), 401, "M_UNKNOWN_TOKEN");
  });

  it("no token is 401 M_MISSING_TOKEN; the deprecated query parameter works", async () => {
    expectError(await call(s, "GET", "/account/whoami"), 401, "M_MISSING_TOKEN");
    const t = (await call(s, "POST", "/login", { type: "m.login.password", user: "erin", password: "erin-pw" })).body.access_token;
    expect((await call(s, "GET", `/account/whoami?access_token=${t}`)).body.user_id).toBe("@erin:test.local");
  });

  it("access_token twice in the query: the same token is the token; two different ones are 400 M_INVALID_PARAM, not 'missing'", async () => {
    const t = (await call(s, "POST", "/login", { type: "m.login.password", user: "erin", password: "erin-pw" })).body.access_token;
    expect((await call(s, "GET", `/account/whoami?access_token=${t}&access_token=${t}`)).body.user_id).toBe("@erin:test.local");
    expectError(await call(s, "GET", `/account/whoami?access_token=${t}&access_token=other`), 400, "M_INVALID_PARAM");
  });

  it("the r0 prefix serves the same routes", async () => {
    expect((await call(s, "GET", "/_matrix/client/r0/login")).status).toBe(200);
  });
});

describe("unknown endpoints and methods", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it("an unknown path is 404 M_UNRECOGNIZED; a known path with a wrong method 405", async () => {
    expectError(await call(s, "GET", "/no/such/endpoint"), 404, "M_UNRECOGNIZED");
    expectError(await call(s, "DELETE", "/login"), 405, "M_UNRECOGNIZED");
  });

  it("works over a real socket: fetch, CORS preflight, JSON bodies sent as text/plain or form data", async () => {
    const address = await s.server.listen({ host: "127.0.0.1", port: 0 });
    const base = `${address}/_matrix/client/v3`;
    const reg = await fetch(`${base}/register`, { method: "POST", body: JSON.stringify({ username: "sock", password: "pw" }) });
    expect(reg.status).toBe(401); // a challenge: the text/plain body was read as JSON
    const session = ((await reg.json()) as { session: string }).session;
    const done = await fetch(`${base}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "sock", password: "pw", auth: { type: "m.login.dummy", session } }),
    });
    const { access_token: token } = (await done.json()) as { access_token: string };
    const who = await fetch(`${base}/account/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(await who.json()).toMatchObject({ user_id: "@sock:test.local" });
    const pre = await fetch(`${base}/account/whoami`, { method: "OPTIONS" });
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    // curl -d sends a form content type: the spec does not require application/json, so it is read as JSON.
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const challenge = await fetch(`${base}/register`, { method: "POST", headers: form, body: JSON.stringify({ username: "curl", password: "pw" }) });
    expect(challenge.status).toBe(401);
    const formSession = ((await challenge.json()) as { session: string }).session;
    const formDone = await fetch(`${base}/register`, {
      method: "POST",
      headers: form,
      body: JSON.stringify({ username: "curl", password: "pw", auth: { type: "m.login.dummy", session: formSession } }),
    });
    expect(formDone.status).toBe(200);
    expect(await formDone.json()).toMatchObject({ user_id: "@curl:test.local" });
  });

  it("/versions is served by register() too", async () => {
    const res = await call(s, "GET", "/_matrix/client/versions");
    expect(res.body.versions).toContain("v1.19");
  });
});
