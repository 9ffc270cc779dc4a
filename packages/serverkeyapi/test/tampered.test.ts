/**
 * Key responses that must not be believed: a changed key, a bad signature, another server's
 * name, no self-signature, and a notary vouching for a key the origin never signed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, signJson } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { serverKeyContract } from "../src/index";
import { startNode, stopNode, type Node } from "./harness";

type Mode = "good" | "changed_key" | "bad_signature" | "wrong_server_name" | "unsigned" | "signed_by_unlisted_key";

describe("tampered key responses are rejected", () => {
  const map: Record<string, string> = {};
  const evilKey = generateSigningKey("ed25519:evil");
  const otherKey = generateSigningKey("ed25519:evil"); // same ID, different key
  let mode: Mode = "good";
  let a: Node, evil: Node;

  function response(): Record<string, unknown> {
    const base = (name: string, key = evilKey) => ({
      server_name: name,
      verify_keys: { [key.keyId]: { key: encodeBase64(key.publicKey) } },
      old_verify_keys: {},
      valid_until_ts: Date.now() + 3_600_000,
    });
    switch (mode) {
      case "good":
        return signJson(base("evil.test"), "evil.test", evilKey);
      case "changed_key": {
        // Signed with the real key, then the listed key swapped: the self-signature breaks.
        const signed = signJson(base("evil.test"), "evil.test", evilKey);
        return { ...signed, verify_keys: { [evilKey.keyId]: { key: encodeBase64(otherKey.publicKey) } } };
      }
      case "bad_signature": {
        const signed = signJson(base("evil.test"), "evil.test", evilKey);
        return { ...signed, signatures: { "evil.test": { [evilKey.keyId]: encodeBase64(new Uint8Array(64)) } } };
      }
      case "wrong_server_name":
        return signJson(base("someone-else.test"), "someone-else.test", evilKey);
      case "unsigned":
        return base("evil.test");
      case "signed_by_unlisted_key":
        return signJson(base("evil.test"), "evil.test", generateSigningKey("ed25519:unlisted"));
    }
  }

  beforeAll(async () => {
    a = await startNode({ name: "a.test", map });
    evil = await startNode({
      name: "evil.test",
      map,
      key: evilKey,
      routes: (server) => server.get("/_matrix/key/v2/server", async () => response()),
    });
  });
  afterAll(async () => Promise.all([stopNode(a), stopNode(evil)]));

  const client = () => localClient(serverKeyContract, a.api);
  const ask = async () =>
    (await client().queryPublicKeys({ body: { requests: [{ server_name: "evil.test", key_id: evilKey.keyId, minimum_valid_until_ts: Date.now() }] } })).body.keys;

  it.each<Mode>(["changed_key", "bad_signature", "wrong_server_name", "unsigned", "signed_by_unlisted_key"])("%s", async (m) => {
    mode = m;
    expect(await ask()).toEqual([]);
    const rows = await a.db.sql`SELECT 1 FROM serverkeyapi.server_keys WHERE server_name = 'evil.test'`;
    expect(rows).toHaveLength(0);
  });

  it("the same server's honest response is accepted (control)", async () => {
    mode = "good";
    expect(await ask()).toMatchObject([{ key: encodeBase64(evilKey.publicKey) }]);
  });
});

describe("a notary vouching for a key the origin did not sign is rejected", () => {
  const map: Record<string, string> = { "origin.test": "http://127.0.0.1:1" };
  const originKey = generateSigningKey("ed25519:o");
  const forged = generateSigningKey("ed25519:o");
  const notaryKey = generateSigningKey("ed25519:n");
  let client: Node, notary: Node;
  beforeAll(async () => {
    notary = await startNode({
      name: "liar.test",
      map: {},
      key: notaryKey,
      routes: (server) =>
        server.post("/_matrix/key/v2/query", async () => {
          // The origin's response signed by the origin's real key, but listing a forged key;
          // the notary's own signature over it is perfectly valid.
          const origin = signJson(
            { server_name: "origin.test", verify_keys: { "ed25519:o": { key: encodeBase64(forged.publicKey) } }, valid_until_ts: Date.now() + 3_600_000 },
            "origin.test",
            originKey,
          );
          return { server_keys: [signJson(origin, "liar.test", notaryKey)] };
        }),
    });
    map["liar.test"] = notary.url;
    client = await startNode({
      name: "client.test",
      map,
      trusted: [{ server_name: "liar.test", keys: { "ed25519:n": encodeBase64(notaryKey.publicKey) } }],
    });
  });
  afterAll(async () => Promise.all([stopNode(client), stopNode(notary)]));

  it("keeps nothing", async () => {
    const { body } = await localClient(serverKeyContract, client.api).queryPublicKeys({
      body: { requests: [{ server_name: "origin.test", key_id: "ed25519:o", minimum_valid_until_ts: 0 }] },
    });
    expect(body.keys).toEqual([]);
  });
});
