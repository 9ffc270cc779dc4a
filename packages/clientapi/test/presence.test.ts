// PUT and GET /presence/{userId}/status as clients call them: set your own (not others'), read
// your own and that of anyone you share a room with (403 for anyone else), bad bodies refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("presence", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  let carol: User;
  const status = (u: User) => `/presence/${enc(u.userId)}/status`;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
    carol = await register(s, "carol");
    const room = (await call(s, "POST", "/createRoom", { preset: "private_chat", invite: [bob.userId] }, alice.token)).body.room_id;
    expect((await call(s, "POST", `/join/${enc(room)}`, {}, bob.token)).status).toBe(200);
  });
  afterAll(() => s.close());

  it("a user never seen is offline", async () => {
    const res = await call(s, "GET", status(bob), undefined, alice.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ presence: "offline" });
  });

  it("what alice sets, bob (in a room with her) reads: online with a status, then unavailable", async () => {
    expect((await call(s, "PUT", status(alice), { presence: "online", status_msg: "in a meeting" }, alice.token)).status).toBe(200);
    const online = await call(s, "GET", status(alice), undefined, bob.token);
    expect(online.status).toBe(200);
    expect(online.body).toMatchObject({ presence: "online", status_msg: "in a meeting", currently_active: true });
    expect(online.body.last_active_ago).toBeGreaterThanOrEqual(0);
    expect((await call(s, "PUT", status(alice), { presence: "unavailable" }, alice.token)).status).toBe(200);
    const away = await call(s, "GET", status(alice), undefined, alice.token);
    // No status message given: cleared; currently_active only with online.
    expect(Object.keys(away.body).sort()).toEqual(["last_active_ago", "presence"]);
    expect(away.body.presence).toBe("unavailable");
  });

  it("carol, who shares no room with alice, may not read it", async () => {
    expectError(await call(s, "GET", status(alice), undefined, carol.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/presence/${enc("@nobody:localhost")}/status`, undefined, carol.token), 403, "M_FORBIDDEN");
  });

  it("nobody sets another's presence, and bad bodies change nothing", async () => {
    expectError(await call(s, "PUT", status(alice), { presence: "offline" }, bob.token), 403, "M_FORBIDDEN");
    for (const bad of [{}, { presence: "busy" }, { presence: 1 }, { presence: "online", status_msg: 5 }]) {
      const res = await call(s, "PUT", status(alice), bad, alice.token);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await call(s, "GET", status(alice), undefined, bob.token)).body.presence).toBe("unavailable");
    expectError(await call(s, "PUT", "/presence/not-a-user/status", { presence: "online" }, alice.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "GET", status(alice)), 401, "M_MISSING_TOKEN");
  });
});
