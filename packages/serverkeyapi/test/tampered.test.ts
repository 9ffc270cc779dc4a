/**
 * Key responses that must not be believed: a changed key, a bad signature, another server's
 * name, no self-signature, and a notary vouching for a key the origin never signed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, signJson } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { serverKeyContract } from "../src/index";
import { startNode, stopNode, type Node } from "./harness";

type Mode = "good" | "changed-key" | "bad-signature" | "wrong-server-name" | "unsigned" | "signed-by-unlisted-key";

const MODES: Mode[] = ["good", "changed-key", "bad-signature", "wrong-server-name", "unsigned", "signed-by-unlisted-key"];

describe("tampered key responses are rejected", () => {
  const map: Record<string, string> = {};
  const evilKey = generateSigningKey("ed25519:evil");
  const otherKey = generateSigningKey("ed25519:evil"); // same ID, different key
  let a: Node, evil: Node;

  // Each mode is its own server name (<mode>.evil.test), so one accepted forgery cannot make
  // another case pass from the cache.
  function response(mode: Mode): Record<string, unknown> {
    const name = `${mode}.evil.test`;
    const base = (name: string, key = evilKey) => ({
      server_name: name,
      verify_keys: { [key.keyId]: { key: encodeBase64(key.publicKey) } },
      old_verify_keys: {},
      valid_until_ts: Date.now() + 3_600_000,
    });
    switch (mode) {
      case "good":
        return signJson(base(name), name, evilKey);
      case "changed-key": {
        // Signed with the real key, then the listed key swapped: the self-signature breaks.
        const signed = signJson(base(name), name, evilKey);
        return { ...signed, verify_keys: { [evilKey.keyId]: { key: encodeBase64(otherKey.publicKey) } } };
      }
      case "bad-signature": {
        const signed = signJson(base(name), name, evilKey);
        return { ...signed, signatures: { [name]: { [evilKey.keyId]: encodeBase64(new Uint8Array(64)) } } };
      }
      case "wrong-server-name":
        return signJson(base("someone-else.test"), "someone-else.test", evilKey);
      case "unsigned":
        return base(name);
      case "signed-by-unlisted-key":
        return signJson(base(name), name, generateSigningKey("ed25519:unlisted"));
    }
  }

  beforeAll(async () => {
    a = await startNode({ name: "a.test", map });
    evil = await startNode({
      name: "evil.test",
      map,
      key: evilKey,
      routes: (server) =>
        server.get<{ Params: { mode: Mode } }>("/m/:mode/_matrix/key/v2/server", async (req) => response(req.params.mode)),
    });
    for (const m of MODES) map[`${m}.evil.test`] = `${evil.url}/m/${m}`;
  });
  afterAll(async () => Promise.all([stopNode(a), stopNode(evil)]));

  const client = () => localClient(serverKeyContract, a.api);
  const ask = async (m: Mode) =>
    (
      await client().queryPublicKeys({
        body: { requests: [{ server_name: `${m}.evil.test`, key_id: evilKey.keyId, minimum_valid_until_ts: Date.now() }] },
      })
    ).body.keys;

  it.each<Mode>(["changed-key", "bad-signature", "wrong-server-name", "unsigned", "signed-by-unlisted-key"])("%s", async (m) => {
    expect(await ask(m)).toEqual([]);
    const rows = await a.db.sql`SELECT 1 FROM serverkeyapi.server_keys WHERE server_name = ${`${m}.evil.test`}`;
    expect(rows).toHaveLength(0);
  });

  it("the same server's honest response is accepted (control)", async () => {
    expect(await ask("good")).toMatchObject([{ key: encodeBase64(evilKey.publicKey) }]);
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
