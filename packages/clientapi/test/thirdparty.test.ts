// Third-party lookups as Element's room directory asks them, on a server that bridges nothing:
// no protocols, and 404 M_NOT_FOUND for a protocol, location or user; a token is required.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("third-party lookups with no application services", () => {
  let s: TestServer;
  let alice: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
  });
  afterAll(() => s.close());

  it("lists no protocols", async () => {
    const res = await call(s, "GET", "/thirdparty/protocols", undefined, alice.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
  });

  it("knows no protocol, location or user", async () => {
    for (const path of [
      "/thirdparty/protocol/irc",
      "/thirdparty/location/irc?channel=%23matrix",
      "/thirdparty/user/irc?nick=alice",
      "/thirdparty/location?alias=%23irc_matrix%3Aexample.org",
      "/thirdparty/user?userid=%40irc_alice%3Aexample.org",
    ]) {
      expectError(await call(s, "GET", path, undefined, alice.token), 404, "M_NOT_FOUND");
    }
  });

  it("needs an access token", async () => {
    expectError(await call(s, "GET", "/thirdparty/protocols"), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", "/thirdparty/protocol/irc"), 401, "M_MISSING_TOKEN");
  });
});
