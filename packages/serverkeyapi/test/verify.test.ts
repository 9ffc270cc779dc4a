/**
 * Signature checks through the key ring: signed JSON for a server ("Checking for a Signature")
 * and received events ("Validating hashes and signatures on received events").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildXMatrixAuthorization, generateSigningKey, MatrixError, signEvent, signJson } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { oldKeyFromSigningKey, serverKeyContract, type KeyRing } from "../src/index";
import { startNode, stopNode, type Node } from "./harness";

describe("verifyJson and verifyEvents", () => {
  const map: Record<string, string> = {};
  const oldKey = generateSigningKey("ed25519:retired");
  const retiredAt = Date.now() - 3_600_000;
  let a: Node, b: Node;
  let ring: KeyRing;
  beforeAll(async () => {
    a = await startNode({ name: "a.test", map });
    b = await startNode({ name: "b.test", map, oldKeys: [oldKeyFromSigningKey(oldKey, retiredAt)] });
    ring = localClient(serverKeyContract, a.api);
  });
  afterAll(async () => Promise.all([stopNode(a), stopNode(b)]));

  const verifyJson = async (object: Record<string, unknown>, valid_at_ts?: number) =>
    (await ring.verifyJson({ body: { requests: [{ server_name: "b.test", object, ...(valid_at_ts ? { valid_at_ts } : {}) }] } })).body
      .results[0]!;

  describe("verifyJson", () => {
    it("accepts an object signed by the server's current key and says which key", async () => {
      const r = await verifyJson(signJson({ hello: "world" }, "b.test", b.key));
      expect(r).toMatchObject({ ok: true, key_id: b.key.keyId });
    });

    it("rejects a changed object (bad_signature)", async () => {
      const signed = signJson({ hello: "world" }, "b.test", b.key);
      const r = await verifyJson({ ...signed, hello: "there" });
      expect(r.ok).toBe(false);
      expect(r.checks).toEqual([{ key_id: b.key.keyId, result: "bad_signature" }]);
    });

    it("rejects a signature with a key the server does not publish (unknown_key)", async () => {
      const r = await verifyJson(signJson({ hello: "world" }, "b.test", generateSigningKey("ed25519:ghost")));
      expect(r).toMatchObject({ ok: false, checks: [{ key_id: "ed25519:ghost", result: "unknown_key" }] });
    });

    it("rejects an object with no signature from that server", async () => {
      const r = await verifyJson(signJson({ hello: "world" }, "a.test", a.key));
      expect(r).toMatchObject({ ok: false, checks: [] });
      expect(r.error).toMatch(/no signature from b.test/);
    });

    it("an old key counts before its expired_ts and not after (expired_key)", async () => {
      const signed = signJson({ hello: "old" }, "b.test", oldKey);
      expect((await verifyJson(signed, retiredAt - 1000)).ok).toBe(true);
      expect(await verifyJson(signed)).toMatchObject({ ok: false, checks: [{ key_id: "ed25519:retired", result: "expired_key" }] });
    });

    it("one bad signature spoils a good one", async () => {
      const signed = signJson(signJson({ x: 1 }, "b.test", b.key), "b.test", generateSigningKey("ed25519:retired"));
      const r = await verifyJson(signed, retiredAt - 1000);
      expect(r.ok).toBe(false);
      expect(r.checks).toContainEqual({ key_id: "ed25519:retired", result: "bad_signature" });
    });
  });

  describe("verifyEvents", () => {
    const event = (over: Record<string, unknown> = {}) =>
      signEvent(
        {
          type: "m.room.message",
          room_id: "!room:b.test",
          sender: "@alice:b.test",
          content: { body: "hi", msgtype: "m.text" },
          origin_server_ts: Date.now(),
          depth: 3,
          prev_events: ["$prev"],
          auth_events: ["$auth"],
          ...over,
        },
        "10",
        "b.test",
        b.key,
      );
    const verify = async (events: Record<string, unknown>[], room_version = "10") =>
      (await ring.verifyEvents({ body: { room_version, events } })).body.results;

    it("valid, redacted (content changed) and rejected (signed fields changed) in one batch", async () => {
      const good = event();
      const changedContent = { ...event(), content: { body: "edited", msgtype: "m.text" } };
      const changedType = { ...event(), type: "m.room.other" };
      const results = await verify([good, changedContent, changedType]);
      expect(results[0]).toEqual({ outcome: "valid" });
      expect(results[1]).toMatchObject({ outcome: "redacted", redacted_event: { content: {} } });
      expect(results[2]).toMatchObject({ outcome: "rejected" });
      expect(results[2]!.reason).toMatch(/Bad signature from b.test/);
    });

    it("v5+: a key whose valid_until_ts is before origin_server_ts does not count", async () => {
      const future = event({ origin_server_ts: Date.now() + 30 * 24 * 3_600_000 });
      expect((await verify([future]))[0]).toMatchObject({ outcome: "rejected" });
      // Room version 4 ignores valid_until_ts.
      const v4 = signEvent({ ...future, signatures: undefined, hashes: undefined }, "4", "b.test", b.key);
      expect((await verify([v4], "4"))[0]).toEqual({ outcome: "valid" });
    });

    it("an unsupported room version is M_UNSUPPORTED_ROOM_VERSION", async () => {
      const err = await verify([event()], "999").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MatrixError);
      expect((err as MatrixError).errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
    });
  });

  describe("verifyRequest (X-Matrix)", () => {
    const request = { method: "PUT", uri: "/_matrix/federation/v1/send/1", origin: "b.test", destination: "a.test", content: { pdus: [] } };
    const check = async (authorization: string, over: { content?: unknown; uri?: string; destination?: string } = {}) =>
      (await ring.verifyRequest({ body: { authorization, method: "PUT", uri: request.uri, destination: "a.test", content: request.content, ...over } }))
        .body;

    it("accepts a request signed by the origin's current key", async () => {
      expect(await check(buildXMatrixAuthorization(request, b.key))).toEqual({ ok: true, origin: "b.test", key_id: b.key.keyId });
    });

    it.each([
      ["a changed body", { content: { pdus: [1] } }, /Invalid signature/],
      ["a changed path", { uri: "/_matrix/federation/v1/send/2" }, /Invalid signature/],
      ["another destination", { destination: "c.test" }, /not c.test/],
    ])("rejects %s", async (_n, over, error) => {
      const r = await check(buildXMatrixAuthorization(request, b.key), over);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(error);
    });

    it("rejects an unknown key, an old key and a malformed header", async () => {
      expect((await check(buildXMatrixAuthorization(request, generateSigningKey("ed25519:ghost")))).error).toMatch(/Unknown key/);
      expect((await check(buildXMatrixAuthorization(request, oldKey))).error).toMatch(/not current/);
      expect((await check("Bearer abc")).error).toMatch(/Bad X-Matrix/);
    });
  });
});
