/**
 * Fetching remote keys over real HTTP between our own nodes on loopback: directly from the
 * server, through a trusted notary, and refusing whatever does not verify.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64 } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { serverKeyContract, type ServerKeyApi } from "../src/index";
import { startNode, stopNode, type Node } from "./harness";

async function query(api: ServerKeyApi, server_name: string, key_id: string, minimum_valid_until_ts = 0) {
  const client = localClient(serverKeyContract, api);
  const { body } = await client.queryPublicKeys({ body: { requests: [{ server_name, key_id, minimum_valid_until_ts }] } });
  return body.keys;
}

async function storedRows(n: Node) {
  return n.db.sql<{ server_name: string; key_id: string; fetched_from: string }[]>`
    SELECT server_name, key_id, fetched_from FROM serverkeyapi.server_keys ORDER BY server_name, key_id`;
}

describe("fetching keys directly (GET /_matrix/key/v2/server)", () => {
  const map: Record<string, string> = {};
  let a: Node, b: Node;
  beforeAll(async () => {
    [a, b] = await Promise.all([startNode({ name: "a.test", map }), startNode({ name: "b.test", map })]);
  });
  afterAll(async () => Promise.all([stopNode(a), stopNode(b)]));

  it("returns the other server's verified key and stores it", async () => {
    const keys = await query(a.api, "b.test", b.key.keyId, Date.now());
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ server_name: "b.test", key_id: b.key.keyId, key: encodeBase64(b.key.publicKey), expired_ts: null });
    expect(keys[0]!.valid_until_ts).toBeGreaterThan(Date.now());
    expect(await storedRows(a)).toEqual([{ server_name: "b.test", key_id: b.key.keyId, fetched_from: "b.test" }]);
  });

  it("returns nothing for a key ID the server does not have", async () => {
    expect(await query(a.api, "b.test", "ed25519:nope")).toEqual([]);
  });

  it("returns nothing for a server that cannot be reached", async () => {
    map["gone.test"] = "http://127.0.0.1:1";
    expect(await query(a.api, "gone.test", "ed25519:x")).toEqual([]);
  });

  it("does not try to fetch for an invalid server name", async () => {
    expect(await query(a.api, "not a server", "ed25519:x")).toEqual([]);
  });

  it("answers for our own keys without fetching", async () => {
    const keys = await query(a.api, "a.test", a.key.keyId);
    expect(keys).toMatchObject([{ server_name: "a.test", key: encodeBase64(a.key.publicKey) }]);
    expect((await storedRows(a)).some((r) => r.server_name === "a.test")).toBe(false);
  });
});

describe("fetching keys through a trusted notary (POST /_matrix/key/v2/query)", () => {
  // origin.test is reachable from the notary but not from the client.
  const notaryMap: Record<string, string> = {};
  const clientMap: Record<string, string> = { "origin.test": "http://127.0.0.1:1" };
  let origin: Node, notary: Node, client: Node, misconfigured: Node;
  beforeAll(async () => {
    origin = await startNode({ name: "origin.test", map: notaryMap });
    notary = await startNode({ name: "notary.test", map: notaryMap });
    clientMap["notary.test"] = notary.url;
    const trusted = [{ server_name: "notary.test", keys: { [notary.key.keyId]: encodeBase64(notary.key.publicKey) } }];
    client = await startNode({ name: "client.test", map: clientMap, trusted });
    // Trusts notary.test with a key notary.test does not sign with.
    const wrong = [{ server_name: "notary.test", keys: { [notary.key.keyId]: encodeBase64(origin.key.publicKey) } }];
    misconfigured = await startNode({ name: "client2.test", map: { ...clientMap }, trusted: wrong });
  });
  afterAll(async () => Promise.all([origin, notary, client, misconfigured].map(stopNode)));

  it("gets the origin's key via the notary when the origin cannot be reached", async () => {
    const keys = await query(client.api, "origin.test", origin.key.keyId, Date.now());
    expect(keys).toMatchObject([{ server_name: "origin.test", key: encodeBase64(origin.key.publicKey) }]);
    expect(await storedRows(client)).toEqual([{ server_name: "origin.test", key_id: origin.key.keyId, fetched_from: "notary.test" }]);
  });

  it("refuses the notary's answer when its signature does not match the configured key", async () => {
    expect(await query(misconfigured.api, "origin.test", origin.key.keyId, Date.now())).toEqual([]);
  });

  it("the notary's answer carries the origin's signature and the notary's", async () => {
    const res = await fetch(`${notary.url}/_matrix/key/v2/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ server_keys: { "origin.test": {} } }),
    });
    const body = (await res.json()) as { server_keys: { signatures: Record<string, unknown> }[] };
    expect(body.server_keys).toHaveLength(1);
    expect(Object.keys(body.server_keys[0]!.signatures).sort()).toEqual(["notary.test", "origin.test"]);
  });
});
