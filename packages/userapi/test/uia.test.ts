// User-Interactive Authentication: flows, sessions, the 401 body, and the three stages we offer.
import { afterEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, SERVER, startUserapi, TRANSPORTS, warmPool, type Harness } from "./harness";

describe.each(TRANSPORTS)("user-interactive auth (%s)", (transport) => {
  let h: Harness;
  afterEach(async () => h.close());

  describe("m.login.dummy (open registration)", () => {
    it("first request gets the challenge; dummy completes it; the session registers once", async () => {
      h = await startUserapi(transport, { open: true, tokensEnabled: false });
      const first = await ok(h.client.userInteractiveAuth({ body: { purpose: "register" } }));
      if (first.done) throw new Error("must not succeed without auth");
      expect(first.challenge).toEqual({ flows: [{ stages: ["m.login.dummy"] }], params: {}, session: first.challenge.session });

      const session = first.challenge.session;
      const second = await ok(h.client.userInteractiveAuth({ body: { purpose: "register", auth: { type: "m.login.dummy", session } } }));
      expect(second).toEqual({ done: true, session, completed: ["m.login.dummy"] });

      const acct = await ok(h.client.createAccount({ body: { localpart: "alice", password: "pw", uiaSession: session, login: {} } }));
      expect(acct.userId).toBe(`@alice:${SERVER}`);
      await expectMatrixError(h.client.createAccount({ body: { localpart: "bob", password: "pw", uiaSession: session } }), "M_FORBIDDEN");
    });

    it("an unfinished session cannot register", async () => {
      h = await startUserapi(transport, { open: true, tokensEnabled: false });
      const first = await ok(h.client.userInteractiveAuth({ body: { purpose: "register" } }));
      if (first.done) throw new Error("unexpected");
      await expectMatrixError(
        h.client.createAccount({ body: { localpart: "alice", password: "pw", uiaSession: first.challenge.session } }),
        "M_FORBIDDEN",
      );
    });

    it("registration disabled: M_FORBIDDEN, no flows", async () => {
      h = await startUserapi(transport, { open: false, tokensEnabled: false });
      await expectMatrixError(h.client.userInteractiveAuth({ body: { purpose: "register" } }), "M_FORBIDDEN", 403);
      await expectMatrixError(h.client.registrationTokenValidity({ body: { token: "abc" } }), "M_FORBIDDEN");
    });

    it("unknown session is M_UNKNOWN; a stage outside every flow is a 401 challenge with errcode", async () => {
      h = await startUserapi(transport, { open: true, tokensEnabled: false });
      await expectMatrixError(
        h.client.userInteractiveAuth({ body: { purpose: "register", auth: { type: "m.login.dummy", session: "nope" } } }),
        "M_UNKNOWN",
        400,
      );
      const r = await ok(h.client.userInteractiveAuth({ body: { purpose: "register", auth: { type: "m.login.password", password: "x" } } }));
      expect(r.done).toBe(false);
      if (!r.done) expect(r.challenge).toMatchObject({ errcode: "M_FORBIDDEN", flows: [{ stages: ["m.login.dummy"] }] });
    });
  });

  describe("m.login.registration_token", () => {
    const stage = (token: string, session?: string) =>
      ok(h.client.userInteractiveAuth({ body: { purpose: "register", auth: { type: "m.login.registration_token", token, session } } }));

    it("offers both flows when open and tokens are on", async () => {
      h = await startUserapi(transport, { open: true, tokensEnabled: true });
      const r = await ok(h.client.userInteractiveAuth({ body: { purpose: "register" } }));
      if (r.done) throw new Error("unexpected");
      expect(r.challenge.flows).toEqual([{ stages: ["m.login.dummy"] }, { stages: ["m.login.registration_token"] }]);
    });

    it("a token with one use: pending while a registration holds it, exhausted after", async () => {
      h = await startUserapi(transport, { open: false, tokensEnabled: true });
      await ok(h.client.createRegistrationToken({ body: { token: "once", usesAllowed: 1 } }));
      expect(await ok(h.client.registrationTokenValidity({ body: { token: "once" } }))).toEqual({ valid: true });

      const a = await stage("once");
      expect(a).toMatchObject({ done: true, completed: ["m.login.registration_token"] });
      // The use is pending: a second registration cannot take it.
      expect(await ok(h.client.registrationTokenValidity({ body: { token: "once" } }))).toEqual({ valid: false });
      const b = await stage("once");
      expect(b.done).toBe(false);
      if (!b.done) {
        expect(b.challenge).toMatchObject({ errcode: "M_FORBIDDEN", flows: [{ stages: ["m.login.registration_token"] }] });
        expect(b.challenge.completed).toBeUndefined();
      }

      if (!a.done) throw new Error("unexpected");
      await ok(h.client.createAccount({ body: { localpart: "alice", password: "pw", uiaSession: a.session } }));
      const { tokens } = await ok(h.client.listRegistrationTokens({ body: {} }));
      expect(tokens).toEqual([expect.objectContaining({ token: "once", usesAllowed: 1, completed: 1, pending: 0 })]);
      expect(await ok(h.client.registrationTokenValidity({ body: { token: "once" } }))).toEqual({ valid: false });
      expect((await stage("once")).done).toBe(false);
    });

    it("two registrations racing for the last use: exactly one gets it", async () => {
      h = await startUserapi(transport, { open: false, tokensEnabled: true });
      await ok(h.client.createRegistrationToken({ body: { token: "last", usesAllowed: 1 } }));
      await warmPool(h);
      const results = await Promise.all(Array.from({ length: 20 }, () => stage("last")));
      expect(results.filter((r) => r.done)).toHaveLength(1);
    });

    it("an abandoned registration frees its use when the session expires", async () => {
      h = await startUserapi(transport, { open: false, tokensEnabled: true });
      await ok(h.client.createRegistrationToken({ body: { token: "once", usesAllowed: 1 } }));
      expect((await stage("once")).done).toBe(true);
      expect((await ok(h.client.registrationTokenValidity({ body: { token: "once" } }))).valid).toBe(false);
      h.clock.now += 2 * 60 * 60 * 1000;
      expect((await ok(h.client.registrationTokenValidity({ body: { token: "once" } }))).valid).toBe(true);
    });

    it("expired and unknown tokens are invalid; a wrong token can be retried in the same session", async () => {
      h = await startUserapi(transport, { open: false, tokensEnabled: true });
      await ok(h.client.createRegistrationToken({ body: { token: "old", expiryTs: h.clock.now - 1 } }));
      await ok(h.client.createRegistrationToken({ body: { token: "good" } }));
      expect((await ok(h.client.registrationTokenValidity({ body: { token: "old" } }))).valid).toBe(false);
      expect((await ok(h.client.registrationTokenValidity({ body: { token: "nope" } }))).valid).toBe(false);
      const bad = await stage("old");
      if (bad.done) throw new Error("expired token accepted");
      expect(bad.challenge.errcode).toBe("M_FORBIDDEN");
      const retry = await stage("good", bad.challenge.session);
      expect(retry).toEqual({ done: true, session: bad.challenge.session, completed: ["m.login.registration_token"] });
    });
  });

  describe("m.login.password (device deletion, password change, deactivation)", () => {
    it("wrong password → 401 with errcode and same session; right password → done; retry stays done", async () => {
      h = await startUserapi(transport);
      const alice = await registerAlice(h.client);
      const uia = (auth?: Record<string, unknown>) =>
        ok(h.client.userInteractiveAuth({ body: { purpose: "delete_devices", userId: alice.userId, auth } }));

      const first = await uia();
      if (first.done) throw new Error("unexpected");
      expect(first.challenge).toEqual({ flows: [{ stages: ["m.login.password"] }], params: {}, session: first.challenge.session });
      const session = first.challenge.session;
      const identifier = { type: "m.id.user", user: "alice" };

      const wrong = await uia({ type: "m.login.password", identifier, password: "bad", session });
      expect(wrong).toEqual({
        done: false,
        challenge: { flows: [{ stages: ["m.login.password"] }], params: {}, session, errcode: "M_FORBIDDEN", error: "Invalid password" },
      });
      const right = await uia({ type: "m.login.password", identifier, password: "pw-alice", session });
      expect(right).toEqual({ done: true, session, completed: ["m.login.password"] });
      expect(await uia({ type: "m.login.password", identifier, password: "bad", session })).toEqual(right);
      expect(await uia({ session })).toEqual(right);
    });

    it("another user's password does not authenticate, and a session never crosses users or purposes", async () => {
      h = await startUserapi(transport);
      const alice = await registerAlice(h.client);
      const bob = await registerAlice(h.client, "bob");
      const start = await ok(h.client.userInteractiveAuth({ body: { purpose: "deactivate", userId: alice.userId } }));
      if (start.done) throw new Error("unexpected");
      const session = start.challenge.session;
      const asBob = await ok(
        h.client.userInteractiveAuth({
          body: { purpose: "deactivate", userId: alice.userId, auth: { type: "m.login.password", user: "bob", password: "pw-bob", session } },
        }),
      );
      expect(asBob.done).toBe(false);
      await expectMatrixError(
        h.client.userInteractiveAuth({ body: { purpose: "deactivate", userId: bob.userId, auth: { session } } }),
        "M_FORBIDDEN",
      );
      await expectMatrixError(
        h.client.userInteractiveAuth({ body: { purpose: "change_password", userId: alice.userId, auth: { session } } }),
        "M_FORBIDDEN",
      );
    });
  });
});
