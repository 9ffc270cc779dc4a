// Third-party identifiers: none are held, each endpoint answers as its spec file says a server
// without 3PIDs does (routing/threepid.ts), behind an access token where the spec puts one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("third-party identifiers", () => {
  let s: TestServer;
  let alice: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
  });
  afterAll(() => s.close());

  const emailToken = { client_secret: "monkeys_are_GREAT", email: "alice@example.org", send_attempt: 1 };
  const msisdnToken = { client_secret: "monkeys_are_GREAT", country: "GB", phone_number: "07700900001", send_attempt: 1 };
  const creds = { client_secret: "d0nt-T3ll", id_server: "id.example.org", id_access_token: "abc", sid: "abc123" };

  it("GET /account/3pid is an empty list (v3 and r0), and needs a token", async () => {
    for (const prefix of ["/_matrix/client/v3", "/_matrix/client/r0"]) {
      const res = await call(s, "GET", `${prefix}/account/3pid`, undefined, alice.token);
      expect(res).toEqual({ status: 200, body: { threepids: [] } });
    }
    expectError(await call(s, "GET", "/account/3pid"), 401, "M_MISSING_TOKEN");
  });

  it("requestToken for adding a 3PID: 400 M_THREEPID_MEDIUM_NOT_SUPPORTED", async () => {
    expectError(await call(s, "POST", "/account/3pid/email/requestToken", emailToken), 400, "M_THREEPID_MEDIUM_NOT_SUPPORTED");
    expectError(await call(s, "POST", "/account/3pid/msisdn/requestToken", msisdnToken), 400, "M_THREEPID_MEDIUM_NOT_SUPPORTED");
  });

  it("requestToken for registration and password reset: 403 M_THREEPID_DENIED, no token needed", async () => {
    for (const purpose of ["/register", "/account/password"]) {
      expectError(await call(s, "POST", `${purpose}/email/requestToken`, emailToken), 403, "M_THREEPID_DENIED");
      expectError(await call(s, "POST", `${purpose}/msisdn/requestToken`, msisdnToken), 403, "M_THREEPID_DENIED");
    }
  });

  it("requestToken bodies are checked first", async () => {
    for (const path of ["/account/3pid/email/requestToken", "/register/email/requestToken", "/account/password/email/requestToken"]) {
      expectError(await call(s, "POST", path, { client_secret: "x", email: "a@b" }), 400, "M_BAD_JSON");
      expectError(await call(s, "POST", path, undefined), 400, "M_NOT_JSON");
    }
    expectError(await call(s, "POST", "/register/msisdn/requestToken", { ...msisdnToken, send_attempt: "1" }), 400, "M_BAD_JSON");
  });

  it("adding or binding a 3PID: 403 M_THREEPID_AUTH_FAILED, without asking for the password", async () => {
    expectError(await call(s, "POST", "/account/3pid/add", { client_secret: "d0nt-T3ll", sid: "abc123" }, alice.token), 403, "M_THREEPID_AUTH_FAILED");
    expectError(await call(s, "POST", "/account/3pid/bind", creds, alice.token), 403, "M_THREEPID_AUTH_FAILED");
    expectError(await call(s, "POST", "/account/3pid", { three_pid_creds: creds }, alice.token), 403, "M_THREEPID_AUTH_FAILED");
    // Bodies are checked first; no token is 401.
    expectError(await call(s, "POST", "/account/3pid/add", { client_secret: "x" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "POST", "/account/3pid", {}, alice.token), 400, "M_BAD_JSON");
    for (const path of ["/account/3pid/add", "/account/3pid/bind", "/account/3pid"]) {
      expectError(await call(s, "POST", path, creds), 401, "M_MISSING_TOKEN");
    }
  });

  it("deleting or unbinding a 3PID: 200 with id_server_unbind_result no-support", async () => {
    for (const path of ["/account/3pid/delete", "/account/3pid/unbind"]) {
      const res = await call(s, "POST", path, { medium: "email", address: "alice@example.org" }, alice.token);
      expect(res).toEqual({ status: 200, body: { id_server_unbind_result: "no-support" } });
      const withServer = await call(s, "POST", path, { medium: "msisdn", address: "447700900001", id_server: "id.example.org" }, alice.token);
      expect(withServer).toEqual({ status: 200, body: { id_server_unbind_result: "no-support" } });
      expectError(await call(s, "POST", path, { medium: "carrier-pigeon", address: "x" }, alice.token), 400, "M_BAD_JSON");
      expectError(await call(s, "POST", path, { medium: "email" }, alice.token), 400, "M_BAD_JSON");
      expectError(await call(s, "POST", path, { medium: "email", address: "alice@example.org" }), 401, "M_MISSING_TOKEN");
    }
    expect((await call(s, "GET", "/account/3pid", undefined, alice.token)).body).toEqual({ threepids: [] });
  });
});
