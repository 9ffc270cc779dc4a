// One suite, two transports: localClient and httpClient+mountContract must be indistinguishable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { MatrixError } from "@dendrite-ts/protocol";
import { createHttpServer, listen, closeServer, type HttpServer } from "../../src/http/server";
import { createLogger } from "../../src/logging";
import { httpClient, localClient, mountContract, type ContractClient } from "../../src/contracts";
import { exampleContract, exampleImpl } from "./example-contract";

type Client = ContractClient<typeof exampleContract>;
const logs: string[] = [];
let server: HttpServer;
let remote: Client;

beforeAll(async () => {
  const sink = new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) });
  server = createHttpServer({ logger: createLogger({ level: "info" }, { destination: sink }) });
  await mountContract(server, exampleContract, exampleImpl);
  const { url } = await listen(server, "127.0.0.1:0");
  remote = httpClient(exampleContract, url);
});
afterAll(async () => closeServer(server));

async function rejection(p: Promise<unknown>): Promise<MatrixError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MatrixError);
    return e as MatrixError;
  }
  throw new Error("expected a rejection");
}
const observable = (e: MatrixError) => ({ errcode: e.errcode, status: e.status, message: e.message, body: e.toJSON() });

const transports: Array<[string, () => Client]> = [
  ["localClient", () => localClient(exampleContract, exampleImpl)],
  ["httpClient+mountContract", () => remote],
];

describe.each(transports)("%s", (_name, client) => {
  it("GET with path params and query", async () => {
    const r = await client().getThing({ params: { thingId: "a/b#c:d" }, query: { limit: 5, tag: "x y" } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: "a/b#c:d", limit: 5, tag: "x y" });
  });

  it("GET with the optional query omitted", async () => {
    const r = await client().getThing({ params: { thingId: "t1" }, query: {} });
    expect(r.body).toEqual({ id: "t1", limit: null, tag: null });
  });

  it("query lists are repeated keys, one value or many", async () => {
    expect((await client().versions({ query: { ver: ["1", "12"] } })).body).toEqual({ ver: ["1", "12"] });
    expect((await client().versions({ query: { ver: ["12"] } })).body).toEqual({ ver: ["12"] });
    expect((await client().versions({ query: {} })).body).toEqual({ ver: [] });
  });

  it("POST with a body", async () => {
    const r = await client().createThing({ body: { name: "box", size: 3, meta: { colour: "red" } } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: "t-box", name: "box", size: 3 });
  });

  it("thrown MatrixError → rejects with the same MatrixError", async () => {
    const e = await rejection(client().missing({ params: { what: "cake" } }));
    expect(observable(e)).toEqual({
      errcode: "M_NOT_FOUND",
      status: 404,
      message: "No cake here",
      body: { errcode: "M_NOT_FOUND", error: "No cake here" },
    });
  });

  it("returned Matrix error body → rejects the same way, extras kept", async () => {
    const e = await rejection(client().limited());
    expect(observable(e)).toEqual({
      errcode: "M_LIMIT_EXCEEDED",
      status: 429,
      message: "Slow down",
      body: { errcode: "M_LIMIT_EXCEEDED", error: "Slow down", retry_after_ms: 1500 },
    });
  });

  it("body schema violation → 400 M_BAD_JSON naming the field", async () => {
    const e = await rejection(client().createThing({ body: { name: "box", size: "big" } as never }));
    expect(observable(e)).toEqual({
      errcode: "M_BAD_JSON",
      status: 400,
      message: "body.size: Expected number, received string",
      body: { errcode: "M_BAD_JSON", error: "body.size: Expected number, received string" },
    });
  });

  it("nested body violation names the full path", async () => {
    const e = await rejection(client().createThing({ body: { name: "b", size: 1, meta: { colour: 7 } } as never }));
    expect(e.message).toBe("body.meta.colour: Expected string, received number");
  });

  it("query violation → 400 M_INVALID_PARAM naming the parameter", async () => {
    const e = await rejection(client().getThing({ params: { thingId: "t" }, query: { limit: 0 } }));
    expect(observable(e)).toMatchObject({ errcode: "M_INVALID_PARAM", status: 400 });
    expect(e.message).toMatch(/^query\.limit: /);
  });

  it("missing required header → 400 M_MISSING_PARAM", async () => {
    const e = await rejection(client().nested.echoHeader({ headers: {} as never }));
    expect(observable(e)).toMatchObject({ errcode: "M_MISSING_PARAM", status: 400, message: "headers.x-trace: Required" });
  });

  it("headers reach the impl with lower-cased names", async () => {
    const r = await client().nested.echoHeader({ headers: { "x-trace": "abc" } });
    expect(r.body).toEqual({ trace: "abc" });
  });

  it("non-Matrix throw → 500 M_UNKNOWN without leaking the message", async () => {
    const e = await rejection(client().broken({ body: {} }));
    expect(observable(e)).toEqual({
      errcode: "M_UNKNOWN",
      status: 500,
      message: "Internal server error",
      body: { errcode: "M_UNKNOWN", error: "Internal server error" },
    });
  });
});

describe("transport-specific details", () => {
  it("the HTTP path logs the original 500 cause; the local path attaches it as cause", async () => {
    expect(logs.join("")).toContain("database exploded");
    const e = await rejection(localClient(exampleContract, exampleImpl).broken({ body: {} }));
    expect(((e as { cause?: Error }).cause as Error).message).toBe("database exploded");
  });

  it("localClient does not clone: the impl's response body reaches the caller as-is", async () => {
    const body = { id: "x", name: "n", size: 1 };
    const c = localClient(exampleContract, { ...exampleImpl, createThing: async () => ({ status: 201, body }) });
    const r = await c.createThing({ body: { name: "n", size: 1 } });
    expect(r.body).toBe(body);
  });

  it("a component that cannot be reached is a 502 M_UNKNOWN (an outage to retry), not an internal error", async () => {
    const gone = createHttpServer({ logger: createLogger({ level: "silent" }) });
    const { url } = await listen(gone, "127.0.0.1:0");
    await closeServer(gone); // nothing listens there now
    const e = await rejection(httpClient(exampleContract, url).getThing({ params: { thingId: "x" }, query: {} }));
    expect(observable(e)).toEqual({ errcode: "M_UNKNOWN", status: 502, message: `Component at ${url} is unreachable`, body: { errcode: "M_UNKNOWN", error: `Component at ${url} is unreachable` } });
    expect(((e as { cause?: { code?: string } }).cause)?.code).toBe("ECONNREFUSED");
  });

  it("mounted routes answer 405 for a known path with the wrong method", async () => {
    const r = await server.inject({ method: "DELETE", url: "/_internal/example/things" });
    expect(r.statusCode).toBe(405);
    expect(r.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });
});
