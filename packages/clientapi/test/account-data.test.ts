// Account data and tags, capabilities, shared-secret registration, rate limiting.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("account data and tags", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  const room = "!someroom:test.local";
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
  });
  afterAll(() => s.close());

  it("global and room account data round-trip; a missing type is 404", async () => {
    const g = `/user/${enc(alice.userId)}/account_data/org.example.settings`;
    expectError(await call(s, "GET", g, undefined, alice.token), 404, "M_NOT_FOUND");
    expect((await call(s, "PUT", g, { theme: "dark" }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", g, undefined, alice.token)).body).toEqual({ theme: "dark" });
    const r = `/user/${enc(alice.userId)}/rooms/${enc(room)}/account_data/org.example.room`;
    expect((await call(s, "PUT", r, { pinned: true }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", r, undefined, alice.token)).body).toEqual({ pinned: true });
    // Room data is not global data.
    expectError(await call(s, "GET", `/user/${enc(alice.userId)}/account_data/org.example.room`, undefined, alice.token), 404, "M_NOT_FOUND");
  });

  it("someone else's account data is 403; server-controlled types 405; bad body 400; bad room 400", async () => {
    const bobs = `/user/${enc(bob.userId)}/account_data/org.example.settings`;
    expectError(await call(s, "GET", bobs, undefined, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "PUT", bobs, { a: 1 }, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "PUT", `/user/${enc(alice.userId)}/account_data/m.fully_read`, { event_id: "$x" }, alice.token), 405, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/user/${enc(alice.userId)}/account_data/a.b`, [1], alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/user/${enc(alice.userId)}/rooms/nope/account_data/a.b`, {}, alice.token), 400, "M_INVALID_PARAM");
  });

  it("a PUT with a JSON null body or none is 400 and stores nothing (account data, room account data, tags)", async () => {
    const put = (path: string, payload: string | undefined, contentType = true) =>
      s.server.inject({
        method: "PUT",
        url: `/_matrix/client/v3${path}`,
        headers: { authorization: `Bearer ${alice.token}`, ...(contentType && payload !== undefined ? { "content-type": "application/json" } : {}) },
        ...(payload !== undefined ? { payload } : {}),
      });
    const res = async (p: ReturnType<typeof put>) => {
      const r = await p;
      return { status: r.statusCode, body: JSON.parse(r.body) };
    };
    const g = `/user/${enc(alice.userId)}/account_data/org.example.nullbody`;
    const r = `/user/${enc(alice.userId)}/rooms/${enc(room)}/account_data/org.example.nullbody`;
    const tags = `/user/${enc(alice.userId)}/rooms/${enc(room)}/tags`;
    for (const path of [g, r, `${tags}/u.nullbody`]) {
      expectError(await res(put(path, "null")), 400, "M_BAD_JSON");
      expectError(await res(put(path, "null", false)), 400, "M_BAD_JSON");
      expectError(await res(put(path, undefined)), 400, "M_NOT_JSON");
      expectError(await res(put(path, "", true)), 400, "M_NOT_JSON");
      expectError(await res(put(path, "", false)), 400, "M_NOT_JSON");
      expectError(await res(put(path, '"text"')), 400, "M_BAD_JSON");
    }
    expectError(await call(s, "GET", g, undefined, alice.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "GET", r, undefined, alice.token), 404, "M_NOT_FOUND");
    expect((await call(s, "GET", tags, undefined, alice.token)).body.tags).not.toHaveProperty("u.nullbody");
    // An empty object is a body: stored as {}.
    expect((await res(put(g, "{}"))).status).toBe(200);
    expect((await call(s, "GET", g, undefined, alice.token)).body).toEqual({});
  });

  it("tags: add, list, delete; someone else's 403", async () => {
    const base = `/user/${enc(alice.userId)}/rooms/${enc(room)}/tags`;
    expect((await call(s, "GET", base, undefined, alice.token)).body).toEqual({ tags: {} });
    expect((await call(s, "PUT", `${base}/m.favourite`, { order: 0.25 }, alice.token)).status).toBe(200);
    expect((await call(s, "PUT", `${base}/u.work`, {}, alice.token)).status).toBe(200);
    expect((await call(s, "GET", base, undefined, alice.token)).body).toEqual({ tags: { "m.favourite": { order: 0.25 }, "u.work": {} } });
    expect((await call(s, "DELETE", `${base}/u.work`, undefined, alice.token)).status).toBe(200);
    expect((await call(s, "GET", base, undefined, alice.token)).body).toEqual({ tags: { "m.favourite": { order: 0.25 } } });
    expectError(await call(s, "PUT", `${base}/m.lowpriority`, { order: "high" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "GET", base, undefined, bob.token), 403, "M_FORBIDDEN");
  });
});

describe("capabilities and shared-secret registration", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ registration: { open: false, sharedSecret: "s3cret" } });
  });
  afterAll(() => s.close());

  it("registers through /_synapse/admin/v1/register with the HMAC of the shared secret", async () => {
    const { nonce } = (await call(s, "GET", "/_synapse/admin/v1/register")).body;
    expect(typeof nonce).toBe("string");
    const mac = createHmac("sha1", "s3cret").update(`${nonce}\0admin1\0pw\0admin`).digest("hex");
    const res = await call(s, "POST", "/_synapse/admin/v1/register", { nonce, username: "admin1", password: "pw", admin: true, mac });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe("@admin1:test.local");
    const caps = await call(s, "GET", "/capabilities", undefined, res.body.access_token);
    expect(caps.body.capabilities["m.change_password"]).toEqual({ enabled: true });
    expect(caps.body.capabilities["m.room_versions"].default).toBe("12");
    expect(Object.keys(caps.body.capabilities["m.room_versions"].available).sort((a: string, b: string) => Number(a) - Number(b))).toEqual(
      ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"],
    );
    expect(caps.body.capabilities["m.room_versions"].available["12"]).toBe("stable");
  });

  it("a wrong MAC is refused; /capabilities needs a token", async () => {
    const { nonce } = (await call(s, "GET", "/_synapse/admin/v1/register")).body;
    const res = await call(s, "POST", "/_synapse/admin/v1/register", { nonce, username: "x", password: "pw", mac: "00" });
    expect(res.status).toBe(403);
    expectError(await call(s, "POST", "/_synapse/admin/v1/register", { nonce }), 400, "M_BAD_JSON");
    expectError(await call(s, "GET", "/capabilities"), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", "/capabilities", undefined, "bogus"), 401, "M_UNKNOWN_TOKEN");
  });
});

describe("rate limiting (on)", () => {
  let s: TestServer;
  const clock = { now: 1_000_000 };
  beforeAll(async () => {
    s = await startServer({ config: { rateLimiting: { enabled: true, threshold: 3, cooloffMs: 1000 } }, now: () => clock.now });
  });
  afterAll(() => s.close());

  it("answers 429 M_LIMIT_EXCEEDED with retry_after_ms past the burst, and lets requests through after the cooloff", async () => {
    const bad = () => call(s, "POST", "/login", { type: "m.login.password", user: "nobody", password: "x" });
    for (let i = 0; i < 3; i++) expect((await bad()).status).toBe(403);
    const limited = await bad();
    expectError(limited, 429, "M_LIMIT_EXCEEDED");
    expect(limited.body.retry_after_ms).toBeGreaterThan(0);
    expect(limited.body.retry_after_ms).toBeLessThanOrEqual(1000);
    clock.now += 1000;
    expect((await bad()).status).toBe(403);
  });

  it("limits sends per user; a limited txnId may be retried after the cooloff and sends once", async () => {
    clock.now += 10_000;
    const u = await register(s, "chatty");
    const room = (await call(s, "POST", "/createRoom", {}, u.token)).body.room_id; // one token
    const send = (txn: string) => call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/${txn}`, { body: txn }, u.token);
    expect((await send("a")).status).toBe(200);
    expect((await send("b")).status).toBe(200);
    expectError(await send("c"), 429, "M_LIMIT_EXCEEDED");
    // A retransmission of a sent txnId is answered (from memory, before the limit), limit or not.
    const again = await send("a");
    expect(again.status).toBe(200);
    clock.now += 1000;
    const c = await send("c");
    expect(c.status).toBe(200);
    clock.now += 10_000;
    expect((await send("c")).body.event_id).toBe(c.body.event_id);
  });
});
