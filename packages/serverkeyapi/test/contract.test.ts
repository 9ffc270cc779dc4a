/**
 * The internal API through both client adapters: in-process (`localClient`) and over HTTP
 * (`httpClient` + `mountContract`, as the polylith wires it). Same answers, same errors.
 * Also: the public key routes served from an HTTP client of the serverkeyapi (polylith).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, MatrixError, signJson, verifyJsonSignature } from "@dendrite-ts/protocol";
import { closeServer, createHttpServer, httpClient, listen, localClient, mountContract, type HttpServer } from "@dendrite-ts/runtime";
import { registerKeyRoutes, serverKeyContract, type ServerKeyClient } from "../src/index";
import { logger, startNode, stopNode, type Node } from "./harness";

const map: Record<string, string> = {};
let a: Node, b: Node;
let internal: HttpServer, publicFront: HttpServer;
let remote: ServerKeyClient;
let frontUrl: string;

beforeAll(async () => {
  a = await startNode({ name: "a.test", map });
  b = await startNode({ name: "b.test", map });
  internal = createHttpServer({ logger });
  await mountContract(internal, serverKeyContract, a.api);
  remote = httpClient(serverKeyContract, (await listen(internal, "127.0.0.1:0")).url);
  // A public listener in another "process" that reaches the serverkeyapi over HTTP only.
  publicFront = createHttpServer({ logger });
  registerKeyRoutes(publicFront, remote);
  frontUrl = (await listen(publicFront, "127.0.0.1:0")).url;
});
afterAll(async () => {
  await Promise.all([closeServer(internal, 1000), closeServer(publicFront, 1000)]);
  await Promise.all([stopNode(a), stopNode(b)]);
});

async function rejection(p: Promise<unknown>): Promise<MatrixError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MatrixError);
  return e as MatrixError;
}

const transports: Array<[string, () => ServerKeyClient]> = [
  ["localClient", () => localClient(serverKeyContract, a.api)],
  ["httpClient+mountContract", () => remote],
];

describe.each(transports)("%s", (_name, client) => {
  it("queryPublicKeys", async () => {
    const { status, body } = await client().queryPublicKeys({
      body: { requests: [{ server_name: "b.test", key_id: b.key.keyId, minimum_valid_until_ts: 0 }] },
    });
    expect(status).toBe(200);
    expect(body.keys).toMatchObject([{ server_name: "b.test", key_id: b.key.keyId }]);
  });

  it("verifyJson", async () => {
    const good = signJson({ n: 1 }, "b.test", b.key);
    const forged = signJson({ n: 1 }, "b.test", generateSigningKey(b.key.keyId));
    const { body } = await client().verifyJson({
      body: { requests: [{ server_name: "b.test", object: good }, { server_name: "b.test", object: forged }] },
    });
    expect(body.results.map((r) => r.ok)).toEqual([true, false]);
  });

  it("ownKeys is self-signed", async () => {
    const { body } = await client().ownKeys();
    expect(verifyJsonSignature(body, "a.test", a.key.keyId, a.key.publicKey)).toBe(true);
  });

  it("notaryQuery signs as a.test", async () => {
    const { body } = await client().notaryQuery({ body: { servers: [{ server_name: "b.test", minimum_valid_until_ts: null }] } });
    expect(body.server_keys).toHaveLength(1);
    expect(verifyJsonSignature(body.server_keys[0]!, "a.test", a.key.keyId, a.key.publicKey)).toBe(true);
  });

  it("a malformed request is M_BAD_JSON", async () => {
    const e = await rejection(client().queryPublicKeys({ body: { requests: [{ server_name: "b.test" }] } as never }));
    expect(e.errcode).toBe("M_BAD_JSON");
    expect(e.status).toBe(400);
  });

  it("an unsupported room version is M_UNSUPPORTED_ROOM_VERSION", async () => {
    const e = await rejection(client().verifyEvents({ body: { room_version: "nope", events: [] } }));
    expect(e.errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
  });
});

describe("public key routes in front of an HTTP client (polylith)", () => {
  it("GET /_matrix/key/v2/server", async () => {
    const body = (await (await fetch(`${frontUrl}/_matrix/key/v2/server`)).json()) as Record<string, unknown>;
    expect(body.server_name).toBe("a.test");
    expect(verifyJsonSignature(body, "a.test", a.key.keyId, a.key.publicKey)).toBe(true);
  });

  it("POST /_matrix/key/v2/query", async () => {
    const res = await fetch(`${frontUrl}/_matrix/key/v2/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ server_keys: { "b.test": {} } }),
    });
    const body = (await res.json()) as { server_keys: { server_name: string }[] };
    expect(body.server_keys.map((k) => k.server_name)).toEqual(["b.test"]);
  });
});
