/**
 * A server rotates its key: the new key is fetched when first seen, and the old one — now in
 * old_verify_keys — still verifies what was signed before its expired_ts, and nothing after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, signEvent, signJson } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { oldKeyFromSigningKey, serverKeyContract, type KeyRing } from "../src/index";
import { startNode, stopNode, type Node } from "./harness";

describe("key rotation", () => {
  const map: Record<string, string> = {};
  const k1 = generateSigningKey("ed25519:k1");
  const k2 = generateSigningKey("ed25519:k2");
  const rotatedAt = Date.now() - 60_000;
  let a: Node, b1: Node | undefined, b2: Node;
  let ring: KeyRing;

  beforeAll(async () => {
    a = await startNode({ name: "a.test", map });
    b1 = await startNode({ name: "b.test", map, key: k1 });
    ring = localClient(serverKeyContract, a.api);
  });
  afterAll(async () => Promise.all([stopNode(a), stopNode(b1), stopNode(b2)]));

  const verify = async (object: Record<string, unknown>, valid_at_ts?: number) =>
    (await ring.verifyJson({ body: { requests: [{ server_name: "b.test", object, ...(valid_at_ts ? { valid_at_ts } : {}) }] } })).body.results[0]!;

  it("before: k1 is current", async () => {
    expect((await verify(signJson({ n: 1 }, "b.test", k1))).ok).toBe(true);
  });

  it("after the rotation: k2 is fetched on first sight; k1 only counts before its expired_ts", async () => {
    await stopNode(b1);
    b1 = undefined;
    b2 = await startNode({ name: "b.test", map, key: k2, oldKeys: [oldKeyFromSigningKey(k1, rotatedAt)] });

    expect(await verify(signJson({ n: 2 }, "b.test", k2))).toMatchObject({ ok: true, key_id: "ed25519:k2" });

    const byK1 = signJson({ n: 3 }, "b.test", k1);
    expect(await verify(byK1)).toMatchObject({ ok: false, checks: [{ key_id: "ed25519:k1", result: "expired_key" }] });
    expect((await verify(byK1, rotatedAt - 1)).ok).toBe(true);

    const [row] = await a.db.sql<{ expired_ts: string }[]>`
      SELECT expired_ts FROM serverkeyapi.server_keys WHERE server_name = 'b.test' AND key_id = 'ed25519:k1'`;
    expect(Number(row?.expired_ts)).toBe(rotatedAt);
  });

  it("events signed with k1 before the rotation still verify; after it, they do not", async () => {
    const ev = (ts: number) =>
      signEvent(
        { type: "m.room.message", room_id: "!r:b.test", sender: "@u:b.test", content: { body: "x" }, origin_server_ts: ts, depth: 1, prev_events: [], auth_events: [] },
        "10",
        "b.test",
        k1,
      );
    const { body } = await ring.verifyEvents({ body: { room_version: "10", events: [ev(rotatedAt - 1000), ev(rotatedAt + 1000)] } });
    expect(body.results.map((r) => r.outcome)).toEqual(["valid", "rejected"]);
  });
});
