// The in-memory token cache: a warm token is resolved without a statement, and every way of
// revoking one (or changing what it resolves to) is seen by the very next look-up.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, observeQueries, openTestDatabase, type Database } from "@dendrite-ts/runtime";
import { createUserapiStore, userapiMigrations, type Db, type TokenOwner } from "../src/storage";
import { TokenCache } from "../src/internal/token-cache";
import { expectMatrixError, ok, registerAlice, startUserapi, TRANSPORTS, type Harness } from "./harness";

/** The statements `fn` sends (every pool of this process). */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  observeQueries((q) => seen.push(q));
  try {
    await fn();
  } finally {
    observeQueries(undefined);
  }
  return seen;
}

describe.each(TRANSPORTS)("token cache, warm (%s)", (transport) => {
  let h: Harness;
  let alice: { userId: string; deviceId: string; accessToken: string };
  let laptop: { deviceId: string; accessToken: string };
  const resolves = (accessToken: string) => h.client.queryAccessToken({ body: { accessToken } });
  /** Resolves each token twice: the second comes from memory. */
  const warm = async (...tokens: string[]) => {
    for (const t of tokens) for (let i = 0; i < 2; i++) await ok(resolves(t));
  };

  beforeEach(async () => {
    h = await startUserapi(transport);
    alice = await registerAlice(h.client);
    laptop = await ok(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice", deviceId: "LAPTOP" } }));
    await warm(alice.accessToken, laptop.accessToken);
  });
  afterEach(async () => h.close());

  it("a warm token resolves without a statement, to the same answer", async () => {
    const cold = await ok(resolves(alice.accessToken));
    let hot;
    const sent = await statementsOf(async () => (hot = await ok(resolves(alice.accessToken))));
    expect(sent.filter((q) => q.includes("access_tokens"))).toEqual([]);
    expect(hot).toEqual(cold);
    expect(cold).toEqual({ userId: alice.userId, deviceId: alice.deviceId, isAdmin: false, accountType: "user", suspended: false });
  });

  it("logout: refused at once", async () => {
    await ok(h.client.logout({ body: { accessToken: laptop.accessToken } }));
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(alice.accessToken));
  });

  it("logout all: every token refused at once", async () => {
    await ok(h.client.logoutAll({ body: { userId: alice.userId } }));
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
  });

  it("password change: the other devices' tokens refused at once, the caller's kept", async () => {
    await ok(h.client.changePassword({ body: { userId: alice.userId, newPassword: "new-pw", exceptDeviceId: "LAPTOP" } }));
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(laptop.accessToken));
  });

  it("password change without logging devices out: every token still resolves", async () => {
    await ok(h.client.changePassword({ body: { userId: alice.userId, newPassword: "new-pw", logoutDevices: false } }));
    await ok(resolves(alice.accessToken));
    await ok(resolves(laptop.accessToken));
  });

  it("deactivation: every token refused at once", async () => {
    await ok(h.client.deactivateAccount({ body: { userId: alice.userId } }));
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
  });

  it("device deletion, single and bulk: refused at once", async () => {
    const tablet = await ok(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice", deviceId: "TABLET" } }));
    await warm(tablet.accessToken);
    await ok(h.client.deleteDevices({ body: { userId: alice.userId, deviceIds: ["LAPTOP"] } }));
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(tablet.accessToken));
    await ok(h.client.deleteDevices({ body: { userId: alice.userId, deviceIds: [alice.deviceId, "TABLET", "NOPE"] } }));
    await expectMatrixError(resolves(alice.accessToken), "M_UNKNOWN_TOKEN");
    await expectMatrixError(resolves(tablet.accessToken), "M_UNKNOWN_TOKEN");
  });

  it("a new login on a known device ID: the device's old token refused at once", async () => {
    const again = await ok(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice", deviceId: "LAPTOP" } }));
    await expectMatrixError(resolves(laptop.accessToken), "M_UNKNOWN_TOKEN");
    expect((await ok(resolves(again.accessToken))).deviceId).toBe("LAPTOP");
  });

  it("lock: every token answers M_USER_LOCKED (soft logout) at once but for allowLocked; unlock: they resolve again", async () => {
    await ok(h.client.setAccountModeration({ body: { userId: alice.userId, locked: true } }));
    const e = await expectMatrixError(resolves(laptop.accessToken), "M_USER_LOCKED", 401);
    expect(e.extras.soft_logout).toBe(true);
    await expectMatrixError(resolves(alice.accessToken), "M_USER_LOCKED", 401);
    expect((await ok(h.client.queryAccessToken({ body: { accessToken: laptop.accessToken, allowLocked: true } }))).deviceId).toBe("LAPTOP");
    expect(await ok(h.client.queryAccount({ body: { userId: alice.userId } }))).toMatchObject({ locked: true, suspended: false });
    await ok(h.client.setAccountModeration({ body: { userId: alice.userId, locked: false } }));
    await ok(resolves(laptop.accessToken));
    await ok(resolves(alice.accessToken));
  });

  it("suspension: every token reports it at once, and no longer once lifted", async () => {
    expect(await ok(h.client.setAccountModeration({ body: { userId: alice.userId, suspended: true } }))).toEqual({ locked: false, suspended: true });
    expect((await ok(resolves(laptop.accessToken))).suspended).toBe(true);
    expect((await ok(resolves(alice.accessToken))).suspended).toBe(true);
    expect(await ok(h.client.setAccountModeration({ body: { userId: alice.userId, suspended: false } }))).toEqual({ locked: false, suspended: false });
    expect((await ok(resolves(laptop.accessToken))).suspended).toBe(false);
  });

  it("moderation of an unknown or deactivated account: M_NOT_FOUND; of a remote one: M_INVALID_PARAM", async () => {
    await expectMatrixError(h.client.setAccountModeration({ body: { userId: "@nobody:test.local", locked: true } }), "M_NOT_FOUND");
    await expectMatrixError(h.client.setAccountModeration({ body: { userId: "@alice:elsewhere.org", locked: true } }), "M_INVALID_PARAM");
    await ok(h.client.deactivateAccount({ body: { userId: alice.userId } }));
    await expectMatrixError(h.client.setAccountModeration({ body: { userId: alice.userId, suspended: true } }), "M_NOT_FOUND");
  });

  it("another user's revocation leaves this user's tokens alone", async () => {
    const bob = await registerAlice(h.client, "bob");
    await warm(bob.accessToken);
    await ok(h.client.logoutAll({ body: { userId: bob.userId } }));
    await expectMatrixError(resolves(bob.accessToken), "M_UNKNOWN_TOKEN");
    await ok(resolves(alice.accessToken));
    await ok(resolves(laptop.accessToken));
  });
});

describe("token cache, revocations racing look-ups", () => {
  it("look-ups in flight during a logout leave nothing behind: once it answered, the token is refused", async () => {
    const h = await startUserapi("local");
    try {
      for (let round = 0; round < 10; round++) {
        const me = await registerAlice(h.client, `racer${round}`);
        const resolves = () =>
          h.client.queryAccessToken({ body: { accessToken: me.accessToken } }).then(
            () => true,
            () => false,
          );
        await resolves();
        let answered = false;
        const logout = h.client.logout({ body: { accessToken: me.accessToken } }).then(() => {
          answered = true;
        });
        const during: Promise<boolean>[] = [];
        while (!answered) {
          during.push(resolves()); // any answer: these race the logout
          await new Promise((r) => setImmediate(r));
        }
        await logout;
        const after = await Promise.all(Array.from({ length: 5 }, resolves));
        await Promise.all(during);
        expect(after).toEqual([false, false, false, false, false]);
        expect(await resolves()).toBe(false);
      }
    } finally {
      await h.close();
    }
  });
});

describe("token cache: the store reports committed changes", () => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase();
    await applyMigrations(db, "userapi", userapiMigrations);
  });
  afterEach(async () => db.close());

  it("inside a transaction only once it has settled; on the pool after the statement; admin and deactivation too", async () => {
    const reported: string[] = [];
    const store = createUserapiStore(db.drizzle as unknown as Db, { sql: db.sql, tokensChanged: (l) => reported.push(l) });
    await store.accounts.insert({ localpart: "alice", passwordHash: null, createdTs: 1, isAdmin: false, accountType: "user", userType: null });
    await store.devices.insertIfAbsent({ localpart: "alice", deviceId: "D", displayName: null, createdTs: 1 });
    const digest = createHash("sha256").update("t").digest();
    await store.accessTokens.insert({ tokenSha256: digest, localpart: "alice", deviceId: "D", createdTs: 1 });
    expect(await store.accessTokens.selectOwner(digest)).toEqual({
      localpart: "alice",
      deviceId: "D",
      isAdmin: false,
      deactivated: false,
      locked: false,
      suspended: false,
      accountType: "user",
    });
    expect(reported).toEqual([]);

    await store.transaction(async (tx) => {
      await tx.devices.deleteAllExcept("alice", "D");
      await tx.accessTokens.deleteForDevice("alice", "OTHER");
      expect(reported).toEqual([]);
    });
    expect(reported).toEqual(["alice"]);

    await expect(
      store.transaction(async (tx) => {
        await tx.devices.delete("alice", ["D"]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(reported).toEqual(["alice", "alice"]); // reported anyway: harmless, and never missed
    expect(await store.accessTokens.selectOwner(digest)).toMatchObject({ deviceId: "D" });

    await store.accounts.setAdmin("alice", true);
    expect(reported).toHaveLength(3);
    await store.accounts.deactivate("alice");
    expect(reported).toHaveLength(4);
    await store.accounts.setModeration("alice", { locked: true, suspended: true });
    expect(reported).toHaveLength(5);
    expect(await store.accessTokens.selectOwner(digest)).toMatchObject({ isAdmin: true, deactivated: true, locked: true, suspended: true });
  });
});

describe("TokenCache", () => {
  const owner = (localpart: string, deviceId = "D"): TokenOwner => ({ localpart, deviceId, isAdmin: false, deactivated: false, locked: false, suspended: false, accountType: "user" });
  const digest = (s: string) => createHash("sha256").update(s).digest();

  it("keeps at most its size, dropping the least recently used", async () => {
    const cache = new TokenCache(2);
    let loads = 0;
    const load = (o: TokenOwner) => async () => {
      loads++;
      return o;
    };
    await cache.lookup(digest("a"), load(owner("a")));
    await cache.lookup(digest("b"), load(owner("b")));
    await cache.lookup(digest("a"), load(owner("a"))); // a is now the most recent
    await cache.lookup(digest("c"), load(owner("c"))); // b goes
    expect(cache.size).toBe(2);
    expect(loads).toBe(3);
    await cache.lookup(digest("a"), load(owner("a")));
    expect(loads).toBe(3);
    await cache.lookup(digest("b"), load(owner("b")));
    expect(loads).toBe(4);
  });

  it("does not keep a result read before an invalidation that came while it was in flight", async () => {
    const cache = new TokenCache(10);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stale = cache.lookup(digest("a"), async () => {
      await gate;
      return owner("alice");
    });
    cache.invalidateUser("alice");
    release();
    expect(await stale).toMatchObject({ localpart: "alice" });
    expect(cache.size).toBe(0);
  });

  it("keeps neither unknown tokens nor deactivated accounts; invalidates by user only", async () => {
    const cache = new TokenCache(10);
    await cache.lookup(digest("x"), async () => undefined);
    await cache.lookup(digest("y"), async () => ({ ...owner("dead"), deactivated: true }));
    expect(cache.size).toBe(0);
    await cache.lookup(digest("a1"), async () => owner("alice", "A1"));
    await cache.lookup(digest("a2"), async () => owner("alice", "A2"));
    await cache.lookup(digest("b"), async () => owner("bob"));
    cache.invalidateUser("alice");
    expect(cache.size).toBe(1);
    let loaded = false;
    await cache.lookup(digest("b"), async () => ((loaded = true), owner("bob")));
    expect(loaded).toBe(false);
  });

  it("size 0 keeps nothing", async () => {
    const cache = new TokenCache(0);
    await cache.lookup(digest("a"), async () => owner("a"));
    expect(cache.size).toBe(0);
  });
});
