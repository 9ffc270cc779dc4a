/**
 * Account endpoints a settings page uses, over raw HTTP against each mode this machine can start
 * (the monolith, and the polylith where PostgreSQL and NATS are set): log in to a deactivated
 * account, delete a device that is gone, account data without a body, username availability
 * without a username, and third-party identifiers (none held).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { registerUser, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

describe.each(availableModes())("account endpoints (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  const tag = Math.random().toString(36).slice(2, 8);

  const call = (method: string, path: string, body?: string | object, token?: string) => clientApiCall(hs.baseUrl, method, path, body, token);
  const passwordAuth = (user: TestUser, session: unknown) => ({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: user.userId },
    password: user.password,
    session,
  });

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    alice = await registerUser(hs.baseUrl, `alice${tag}`);
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  it("logging in to a deactivated account: a wrong password is told what an unknown user is", async () => {
    const gone = await registerUser(hs.baseUrl, `gone${tag}`);
    const first = await call("POST", "/account/deactivate", {}, gone.accessToken);
    expect(first.status).toBe(401);
    expect((await call("POST", "/account/deactivate", { auth: passwordAuth(gone, first.json.session) }, gone.accessToken)).status).toBe(200);
    const login = (user: string, password: string) =>
      call("POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user }, password });
    const wrong = await login(`gone${tag}`, "a guess");
    const unknown = await login(`never${tag}`, "a guess");
    expect(wrong).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
    expect(wrong).toEqual(unknown);
    expect(await login(`gone${tag}`, gone.password)).toMatchObject({ status: 403, json: { errcode: "M_USER_DEACTIVATED" } });
  });

  it("DELETE /devices/{id} of a device that is not there: user-interactive auth, then 200", async () => {
    const first = await call("DELETE", "/devices/NOSUCHDEVICE", {}, alice.accessToken);
    expect(first.status).toBe(401);
    expect(first.json.flows).toEqual([{ stages: ["m.login.password"] }]);
    const done = await call("DELETE", "/devices/NOSUCHDEVICE", { auth: passwordAuth(alice, first.json.session) }, alice.accessToken);
    expect(done).toEqual({ status: 200, json: {} });
    const again = await call("POST", "/delete_devices", { devices: ["NOSUCHDEVICE"] }, alice.accessToken);
    expect(again.status).toBe(401);
    const bulk = await call("POST", "/delete_devices", { devices: ["NOSUCHDEVICE"], auth: passwordAuth(alice, again.json.session) }, alice.accessToken);
    expect(bulk).toEqual({ status: 200, json: {} });
    expect((await call("GET", "/account/whoami", undefined, alice.accessToken)).status).toBe(200);
  });

  it("account data and tags need a JSON object body: null is 400 and stores nothing", async () => {
    const me = encodeURIComponent(alice.userId);
    const room = encodeURIComponent(`!someroom:${hs.serverName}`);
    const global = `/user/${me}/account_data/org.example.nothing`;
    const inRoom = `/user/${me}/rooms/${room}/account_data/org.example.nothing`;
    for (const path of [global, inRoom, `/user/${me}/rooms/${room}/tags/u.nothing`]) {
      expect(await call("PUT", path, "null", alice.accessToken)).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
      expect((await call("PUT", path, undefined, alice.accessToken)).status).toBe(400);
    }
    expect(await call("GET", global, undefined, alice.accessToken)).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    expect(await call("GET", inRoom, undefined, alice.accessToken)).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    expect((await call("GET", `/user/${me}/rooms/${room}/tags`, undefined, alice.accessToken)).json).toEqual({ tags: {} });
  });

  it("/register/available without a username is 400 M_MISSING_PARAM", async () => {
    expect(await call("GET", "/register/available")).toMatchObject({ status: 400, json: { errcode: "M_MISSING_PARAM" } });
  });

  it("third-party identifiers: none listed, none can be added, removing one is no-support", async () => {
    expect(await alice.client.getThreePids()).toEqual({ threepids: [] });
    const email = { client_secret: "s3cret", email: "alice@example.org", send_attempt: 1 };
    expect(await call("POST", "/account/3pid/email/requestToken", email)).toMatchObject({
      status: 400,
      json: { errcode: "M_THREEPID_MEDIUM_NOT_SUPPORTED" },
    });
    expect(await call("POST", "/register/email/requestToken", email)).toMatchObject({ status: 403, json: { errcode: "M_THREEPID_DENIED" } });
    expect(await call("POST", "/account/3pid/add", { client_secret: "s3cret", sid: "1" }, alice.accessToken)).toMatchObject({
      status: 403,
      json: { errcode: "M_THREEPID_AUTH_FAILED" },
    });
    expect(await call("POST", "/account/3pid/delete", { medium: "email", address: "alice@example.org" }, alice.accessToken)).toEqual({
      status: 200,
      json: { id_server_unbind_result: "no-support" },
    });
  });
});
