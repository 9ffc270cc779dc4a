// A new account's push rules are in its m.push_rules account data from the start, so the first
// /sync carries them (as Synapse's does) before the client has asked GET /pushrules/: stored at
// /register, at shared-secret registration, and at /login for accounts made by other means.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, register, startServer, type TestServer } from "./harness";

describe("push rules of a new account", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ registration: { sharedSecret: "s3cret" } });
  });
  afterAll(() => s.close());

  /** The stored account data as a client reads it, then the ruleset GET /pushrules/ serves. */
  const storedThenServed = async (userId: string, token: string) => {
    const stored = await call(s, "GET", `/user/${enc(userId)}/account_data/m.push_rules`, undefined, token);
    const served = await call(s, "GET", "/pushrules/", undefined, token);
    expect(served.status).toBe(200);
    return { stored, served: served.body };
  };

  it("registered through /register: stored before any push rules call", async () => {
    const u = await register(s, "fresh");
    const { stored, served } = await storedThenServed(u.userId, u.token);
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body).toEqual(served);
    expect(served.global.override[0].rule_id).toBe(".m.rule.master");
  });

  it("registered with the shared secret: stored too", async () => {
    const { nonce } = (await call(s, "GET", "/_synapse/admin/v1/register")).body;
    const mac = createHmac("sha1", "s3cret").update(`${nonce}\0sharer\0pw\0notadmin`).digest("hex");
    const res = await call(s, "POST", "/_synapse/admin/v1/register", { nonce, username: "sharer", password: "pw", mac });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { stored, served } = await storedThenServed(res.body.user_id, res.body.access_token);
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body).toEqual(served);
  });

  it("made without /register (tools, first run): stored at its first /login; a later login keeps the user's changes", async () => {
    await s.userapi.createAccount({ body: { localpart: "tooled", password: "pw-tooled" } });
    const login = async () => {
      const res = await call(s, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user: "tooled" }, password: "pw-tooled" });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { user_id: string; access_token: string };
    };
    const first = await login();
    const { stored, served } = await storedThenServed(first.user_id, first.access_token);
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body).toEqual(served);

    expect((await call(s, "PUT", "/pushrules/global/override/mine", { conditions: [], actions: ["notify"] }, first.access_token)).status).toBe(200);
    const again = await login();
    const after = await call(s, "GET", `/user/${enc(again.user_id)}/account_data/m.push_rules`, undefined, again.access_token);
    expect(after.body.global.override.map((r: { rule_id: string }) => r.rule_id)).toContain("mine");
  });

  it("a login brings a ruleset stored by an older server up to date, the user's rules and flags kept", async () => {
    await s.userapi.createAccount({ body: { localpart: "older", password: "pw-older" } });
    const userId = "@older:test.local";
    const legacy = {
      global: {
        override: [
          { rule_id: ".m.rule.master", default: true, enabled: true, conditions: [], actions: [] },
          { rule_id: "mine", default: false, enabled: false, conditions: [], actions: ["notify"] },
          { rule_id: ".m.rule.roomnotif", default: true, enabled: true, conditions: [], actions: ["notify"] },
        ],
        content: [{ rule_id: ".m.rule.contains_user_name", default: true, enabled: true, pattern: "older", actions: ["notify"] }],
      },
    };
    await s.userapi.setAccountData({ body: { userId, roomId: null, type: "m.push_rules", content: legacy } });
    const res = await call(s, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user: "older" }, password: "pw-older" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { stored, served } = await storedThenServed(userId, res.body.access_token);
    expect(stored.body).toEqual(served);
    const override = served.global.override as Array<{ rule_id: string; enabled: boolean }>;
    expect(override.slice(0, 2)).toMatchObject([{ rule_id: ".m.rule.master", enabled: true }, { rule_id: "mine", enabled: false }]);
    expect(override.map((r) => r.rule_id)).not.toContain(".m.rule.roomnotif");
    expect(served.global.content).toEqual([]);
  });
});
