import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, verifyJsonSignature } from "@dendrite-ts/protocol";
import { oldKeyFromSigningKey } from "../src/index";
import { fakeClock, startNode, stopNode, type Node } from "./harness";

describe("GET /_matrix/key/v2/server (Publishing Keys)", () => {
  const clock = fakeClock();
  const old = generateSigningKey("ed25519:old");
  let node: Node;
  beforeAll(async () => {
    node = await startNode({ name: "a.test", map: {}, now: clock.now, validityMs: 7_200_000, oldKeys: [oldKeyFromSigningKey(old, 1_600_000_000_000)] });
  });
  afterAll(() => stopNode(node));

  it("is self-signed with the key it lists, for our server name", async () => {
    const res = await fetch(`${node.url}/_matrix/key/v2/server`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.server_name).toBe("a.test");
    expect(body.verify_keys).toEqual({ [node.key.keyId]: { key: encodeBase64(node.key.publicKey) } });
    expect(verifyJsonSignature(body, "a.test", node.key.keyId, node.key.publicKey)).toBe(true);
    // Signed over what it says: change anything and the signature no longer holds.
    expect(verifyJsonSignature({ ...body, valid_until_ts: body.valid_until_ts + 1 }, "a.test", node.key.keyId, node.key.publicKey)).toBe(false);
  });

  it("lists old keys with expired_ts and valid_until_ts = now + key_validity_period", async () => {
    const body = (await (await fetch(`${node.url}/_matrix/key/v2/server`)).json()) as Record<string, any>;
    expect(body.old_verify_keys).toEqual({ "ed25519:old": { key: encodeBase64(old.publicKey), expired_ts: 1_600_000_000_000 } });
    expect(body.valid_until_ts).toBe(clock.now() + 7_200_000);
  });

  it("also answers the legacy path with a key ID", async () => {
    const body = (await (await fetch(`${node.url}/_matrix/key/v2/server/${node.key.keyId}`)).json()) as Record<string, any>;
    expect(verifyJsonSignature(body, "a.test", node.key.keyId, node.key.publicKey)).toBe(true);
  });

  it("answers a notary query for our own name with our own keys", async () => {
    const res = await fetch(`${node.url}/_matrix/key/v2/query/a.test`);
    const body = (await res.json()) as { server_keys: Record<string, any>[] };
    expect(body.server_keys).toHaveLength(1);
    expect(verifyJsonSignature(body.server_keys[0]!, "a.test", node.key.keyId, node.key.publicKey)).toBe(true);
  });
});
