// The tables themselves: what is (and is not) stored, cascades, and the token look-up plan.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, openTestDatabase, type Database } from "@dendrite-ts/runtime";
import { createUserapiStore, userapiMigrations, type Db, type UserapiStore } from "../src/storage";
import { createUserapi } from "../src/index";
import { ok, registerAlice, SERVER, startUserapi, type Harness } from "./harness";

describe("userapi storage", () => {
  let db: Database;
  let store: UserapiStore;
  beforeEach(async () => {
    db = await openTestDatabase();
    await applyMigrations(db, "userapi", userapiMigrations);
    store = createUserapiStore(db.drizzle as unknown as Db);
    await store.accounts.insert({ localpart: "alice", passwordHash: null, createdTs: 1, isAdmin: false, accountType: "user", userType: null });
    await store.devices.insertIfAbsent({ localpart: "alice", deviceId: "D", displayName: null, createdTs: 1 });
  });
  afterEach(async () => db.close());

  it("migrations are idempotent", async () => {
    const again = await applyMigrations(db, "userapi", userapiMigrations);
    expect(again.applied).toEqual([]);
  });

  it("deleting a device deletes its tokens (cascade); deleting an account deletes its devices", async () => {
    const digest = createHash("sha256").update("t").digest();
    await store.accessTokens.insert({ tokenSha256: digest, localpart: "alice", deviceId: "D", createdTs: 1 });
    expect(await store.accessTokens.selectOwner(digest)).toMatchObject({ localpart: "alice", deviceId: "D" });
    expect(await store.devices.delete("alice", ["D"])).toEqual(["D"]);
    expect(await store.accessTokens.selectOwner(digest)).toBeUndefined();
  });

  it("the token look-up is an index scan on the digest", async () => {
    // An empty table is cheapest to scan: forbid that to see which index the look-up can use.
    const plan = await db.sql.begin(async (tx) => {
      await tx`SET LOCAL enable_seqscan = off`;
      return tx.unsafe(
        `EXPLAIN SELECT t.localpart FROM userapi.access_tokens t JOIN userapi.accounts a USING (localpart) WHERE t.token_sha256 = $1`,
        [Buffer.alloc(32)],
      );
    });
    const text = plan.map((r) => Object.values(r)[0]).join("\n");
    expect(text, text).toMatch(/Index Scan using access_tokens_pkey/);
  });

  it("account data positions strictly increase across users and rows; global is room ''", async () => {
    await store.accounts.insert({ localpart: "bob", passwordHash: null, createdTs: 1, isAdmin: false, accountType: "user", userType: null });
    const p1 = await store.accountData.upsert("alice", null, "t", { a: 1 });
    const p2 = await store.accountData.upsert("bob", "!r:x", "t", { b: 1 });
    const p3 = await store.accountData.upsert("alice", null, "t", { a: 2 });
    expect(p1).toBeLessThan(p2);
    expect(p2).toBeLessThan(p3);
    expect(await store.accountData.selectChanged("alice", 0)).toEqual([{ roomId: null, type: "t", content: { a: 2 }, streamPos: p3 }]);
    const [row] = await db.sql`SELECT room_id FROM userapi.account_data WHERE localpart = 'alice'`;
    expect(row!.room_id).toBe("");
  });

  it("a nonce is consumed once and only while fresh", async () => {
    await store.sharedSecretNonces.insert("n1", 1000);
    expect(await store.sharedSecretNonces.consume("n1", 2000)).toBe(false); // stale
    await store.sharedSecretNonces.insert("n2", 1000);
    expect(await store.sharedSecretNonces.consume("n2", 500)).toBe(true);
    expect(await store.sharedSecretNonces.consume("n2", 500)).toBe(false);
  });
});

describe("what userapi writes", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startUserapi("local");
  });
  afterEach(async () => h.close());

  it("only the SHA-256 of an access token is stored, never the token", async () => {
    const { accessToken } = await registerAlice(h.client);
    const rows = await h.db.sql`SELECT encode(token_sha256, 'hex') AS d FROM userapi.access_tokens`;
    expect(rows.map((r) => r.d)).toEqual([createHash("sha256").update(accessToken).digest("hex")]);
    const dump = JSON.stringify(await h.db.sql`SELECT * FROM userapi.access_tokens`);
    expect(dump).not.toContain(accessToken.slice(4));
  });

  it("a password hashed with weaker parameters is upgraded on the next login", async () => {
    await registerAlice(h.client); // hashed with logN 10 by the harness
    const before = (await h.db.sql`SELECT password_hash FROM userapi.accounts`)[0]!.password_hash as string;
    expect(before).toContain("ln=10,");
    const stronger = await createUserapi({
      db: h.db,
      streams: h.streams,
      serverName: SERVER,
      registration: { open: true, tokensEnabled: false },
      passwordHashing: { logN: 11, r: 8, p: 1 },
    });
    const { localClient } = await import("@dendrite-ts/runtime");
    const { userapiContract } = await import("../src/index");
    await ok(localClient(userapiContract, stronger.api).passwordLogin({ body: { user: "alice", password: "pw-alice" } }));
    const after = (await h.db.sql`SELECT password_hash FROM userapi.accounts`)[0]!.password_hash as string;
    expect(after).toContain("ln=11,");
    await ok(h.client.passwordLogin({ body: { user: "alice", password: "pw-alice" } }));
    await stronger.close();
  });
});
