/** The serverkeyapi tables against a real PostgreSQL: upsert rules and migrations. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, openTestDatabase, type Database } from "@dendrite-ts/runtime";
import { createServerKeyStore, type ServerKeyStore, type StoredServerKey } from "../src/storage/index";
import { SERVERKEYAPI_SCHEMA, serverKeyMigrations } from "../src/storage/migrations";

const key = (over: Partial<StoredServerKey> = {}): StoredServerKey => ({
  serverName: "b.test",
  keyId: "ed25519:k",
  publicKey: "AAAA",
  validUntilTs: 1000,
  expiredTs: null,
  fetchedFrom: "b.test",
  fetchedTs: 1,
  ...over,
});
const response = (validUntilTs: number, text = `{"v":${validUntilTs}}`) => ({
  serverName: "b.test",
  response: text,
  validUntilTs,
  fetchedFrom: "b.test",
  fetchedTs: 1,
});

describe("serverkeyapi storage", () => {
  let db: Database;
  let store: ServerKeyStore;
  beforeAll(async () => {
    db = await openTestDatabase();
    await applyMigrations(db, SERVERKEYAPI_SCHEMA, serverKeyMigrations);
    store = createServerKeyStore(db.drizzle);
  });
  afterAll(() => db.close());

  it("migrations are idempotent", async () => {
    const again = await applyMigrations(db, SERVERKEYAPI_SCHEMA, serverKeyMigrations);
    expect(again.applied).toEqual([]);
  });

  it("stores and reads keys by (server, key ID), and responses by server", async () => {
    await store.storeResponse(response(1000), [key(), key({ keyId: "ed25519:other", publicKey: "BBBB" })]);
    const got = await store.getKeys([{ serverName: "b.test", keyId: "ed25519:k" }, { serverName: "c.test", keyId: "ed25519:k" }]);
    expect(got).toEqual([key()]);
    expect((await store.getResponses(["b.test", "c.test"])).map((r) => r.response)).toEqual(['{"v":1000}']);
    expect(await store.getKeys([])).toEqual([]);
  });

  it("a newer response replaces an older one, never the reverse (a notary's stale cache)", async () => {
    await store.storeResponse(response(2000), [key({ validUntilTs: 2000, publicKey: "NEW" })]);
    await store.storeResponse(response(1500), [key({ validUntilTs: 1500, publicKey: "OLD" })]);
    const [r] = await store.getResponses(["b.test"]);
    expect(r?.validUntilTs).toBe(2000);
    const [k] = await store.getKeys([{ serverName: "b.test", keyId: "ed25519:k" }]);
    expect(k).toMatchObject({ validUntilTs: 2000, publicKey: "NEW" });
  });

  it("a key moving to old_verify_keys always records its expired_ts, and stays expired", async () => {
    await store.storeResponse(response(3000), [key({ validUntilTs: 900, expiredTs: 900, publicKey: "NEW" })]);
    await store.storeResponse(response(4000), [key({ validUntilTs: 4000, publicKey: "NEW" })]);
    const [k] = await store.getKeys([{ serverName: "b.test", keyId: "ed25519:k" }]);
    expect(k).toMatchObject({ expiredTs: 900, validUntilTs: 900 });
  });
});
