/**
 * Serving as a notary: `GET /_matrix/key/v2/query/{serverName}` and `POST /_matrix/key/v2/query`
 * (minimum_valid_until_ts; cache for half a response's lifetime; keep serving the last response
 * when the origin is down).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyJsonSignature } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { registerKeyRoutes, serverKeyContract } from "../src/index";
import { fakeClock, startNode, stopNode, type Node } from "./harness";

const HOUR = 3_600_000;
type KeysBody = { server_keys: Record<string, any>[] };

describe("notary routes", () => {
  const map: Record<string, string> = {};
  const clock = fakeClock();
  let hits = 0;
  let notary: Node, b: Node;
  beforeAll(async () => {
    b = await startNode({
      name: "b.test",
      map,
      now: clock.now,
      validityMs: HOUR,
      routes: (server, { api }) => {
        server.addHook("onRequest", async () => void hits++);
        registerKeyRoutes(server, localClient(serverKeyContract, api));
      },
    });
    notary = await startNode({ name: "notary.test", map, now: clock.now });
  });
  afterAll(async () => Promise.all([stopNode(notary), stopNode(b)]));
  beforeEach(() => void (hits = 0));

  const get = async (path: string) => {
    const res = await fetch(`${notary.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const post = async (body: string) => {
    const res = await fetch(`${notary.url}/_matrix/key/v2/query`, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: res.status, body: (await res.json()) as any };
  };

  it("GET returns the origin's response signed by the origin and by us", async () => {
    const { status, body } = await get("/_matrix/key/v2/query/b.test");
    expect(status).toBe(200);
    const [resp] = (body as KeysBody).server_keys;
    expect(resp?.server_name).toBe("b.test");
    expect(verifyJsonSignature(resp!, "b.test", b.key.keyId, b.key.publicKey)).toBe(true);
    expect(verifyJsonSignature(resp!, "notary.test", notary.key.keyId, notary.key.publicKey)).toBe(true);
    expect(hits).toBe(1);
  });

  it("answers from cache within half the response's lifetime", async () => {
    clock.advance(HOUR / 4);
    const { body } = await get("/_matrix/key/v2/query/b.test");
    expect((body as KeysBody).server_keys).toHaveLength(1);
    expect(hits).toBe(0);
  });

  it("refetches when minimum_valid_until_ts lies beyond the cached response", async () => {
    const min = clock.now() + 2 * HOUR;
    const { body } = await get(`/_matrix/key/v2/query/b.test?minimum_valid_until_ts=${min}`);
    expect(hits).toBe(1);
    // b.test only ever promises an hour: the newest response is returned anyway.
    expect((body as KeysBody).server_keys[0]?.valid_until_ts).toBe(clock.now() + HOUR);
  });

  it("refetches after half the lifetime", async () => {
    clock.advance(HOUR / 2 + 1);
    await get("/_matrix/key/v2/query/b.test");
    expect(hits).toBe(1);
  });

  it("POST with per-key criteria works the same", async () => {
    const { status, body } = await post(JSON.stringify({ server_keys: { "b.test": { [b.key.keyId]: { minimum_valid_until_ts: 0 } } } }));
    expect(status).toBe(200);
    expect((body as KeysBody).server_keys.map((k) => k.server_name)).toEqual(["b.test"]);
    expect(hits).toBe(0);
  });

  it("POST with no servers returns an empty list", async () => {
    expect((await post(JSON.stringify({ server_keys: {} }))).body).toEqual({ server_keys: [] });
  });

  it("an unreachable server with nothing cached is left out", async () => {
    map["nowhere.test"] = "http://127.0.0.1:1";
    expect((await get("/_matrix/key/v2/query/nowhere.test")).body).toEqual({ server_keys: [] });
  });

  it("keeps serving the last response when the origin goes away", async () => {
    const realUrl = map["b.test"]!;
    map["b.test"] = "http://127.0.0.1:1";
    try {
      clock.advance(2 * HOUR); // cached response now expired
      const { body } = await get("/_matrix/key/v2/query/b.test");
      const [resp] = (body as KeysBody).server_keys;
      expect(resp?.valid_until_ts).toBeLessThan(clock.now());
      expect(verifyJsonSignature(resp!, "notary.test", notary.key.keyId, notary.key.publicKey)).toBe(true);
    } finally {
      map["b.test"] = realUrl;
    }
  });

  it.each([
    ["server_keys not an object", JSON.stringify({ server_keys: [] }), 400, "M_BAD_JSON"],
    ["criteria not an object", JSON.stringify({ server_keys: { "b.test": 5 } }), 400, "M_BAD_JSON"],
    ["no server_keys", JSON.stringify({}), 400, "M_BAD_JSON"],
    ["a body that is not JSON", "{not json", 400, "M_NOT_JSON"],
    ["more than 100 servers", JSON.stringify({ server_keys: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`s${i}.test`, {}])) }), 400, "M_INVALID_PARAM"],
  ])("POST rejects %s", async (_name, body, status, errcode) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.body.errcode).toBe(errcode);
  });

  it("GET rejects a bad minimum_valid_until_ts and a bad server name", async () => {
    expect((await get("/_matrix/key/v2/query/b.test?minimum_valid_until_ts=soon")).body.errcode).toBe("M_INVALID_PARAM");
    expect((await get("/_matrix/key/v2/query/bad%20name")).body.errcode).toBe("M_INVALID_PARAM");
  });
});
