import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { MatrixError } from "@dendrite-ts/protocol";
import { createHttpServer, closeServer, listen, parseListenAddress, type HttpServer } from "../../src/http/server";
import { createLogger } from "../../src/logging";
import { createMetrics, recordDbPool, recordStreamLag, type Metrics } from "../../src/metrics";

const lines: Array<Record<string, unknown>> = [];
let server: HttpServer;
let metrics: Metrics;

beforeAll(async () => {
  const sink = new Writable({
    write: (c, _e, cb) => {
      for (const l of String(c).split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  metrics = createMetrics({ defaultMetrics: false });
  server = createHttpServer({ logger: createLogger({ level: "info" }, { destination: sink }), metrics, bodyLimitBytes: 1024 });
  server.get("/_matrix/client/v3/rooms/:roomId/state", async (req) => ({ room: (req.params as { roomId: string }).roomId }));
  server.post("/echo", async (req) => ({ got: req.body }));
  server.post(
    "/schema",
    { schema: { body: { type: "object", required: ["name"], properties: { name: { type: "string" }, n: { type: "integer" } } } } },
    async () => ({}),
  );
  server.get("/forbidden", async () => {
    throw new MatrixError("M_FORBIDDEN", "You shall not pass");
  });
  server.get("/limited", async () => {
    throw new MatrixError("M_LIMIT_EXCEEDED", "Too many", { retry_after_ms: 2000 });
  });
  server.get("/boom", async () => {
    throw new Error("secret internal detail");
  });
  await server.ready();
});
afterAll(async () => closeServer(server));

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "X-Requested-With, Content-Type, Authorization",
};

describe("Matrix error mapping", () => {
  it("serves a route (path params with ':' and '!')", async () => {
    const r = await server.inject({ method: "GET", url: "/_matrix/client/v3/rooms/!abc%3Aexample.org/state" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ room: "!abc:example.org" });
  });

  it("unknown endpoint → 404 M_UNRECOGNIZED", async () => {
    const r = await server.inject({ method: "GET", url: "/_matrix/client/v3/nope" });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
  });

  it("known path, wrong method → 405 M_UNRECOGNIZED with Allow", async () => {
    const r = await server.inject({ method: "PUT", url: "/_matrix/client/v3/rooms/!r:x/state" });
    expect(r.statusCode).toBe(405);
    expect(r.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
    expect(r.headers["allow"]).toContain("GET");
  });

  it("malformed JSON → 400 M_NOT_JSON", async () => {
    const r = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload: "{nope" });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ errcode: "M_NOT_JSON" });
  });

  it("empty body with JSON content type → 400 M_NOT_JSON", async () => {
    const r = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload: "" });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ errcode: "M_NOT_JSON" });
  });

  it("a JSON body under another content type, or none, is read as JSON (the spec does not require the header)", async () => {
    const form = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: '{"a":1}' });
    expect(form.statusCode).toBe(200);
    expect(form.json()).toEqual({ got: { a: 1 } });
    const none = await server.inject({ method: "POST", url: "/echo", payload: Buffer.from('{"b":[2]}') });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ got: { b: [2] } });
    const empty = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "text/plain" }, payload: "" });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({});
  });

  it("a body that is not JSON, whatever its content type → 400 M_NOT_JSON", async () => {
    for (const type of ["application/xml", "text/plain", "application/x-www-form-urlencoded"]) {
      const r = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": type }, payload: type === "application/xml" ? "<a/>" : "a=1&b=2" });
      expect(r.statusCode, type).toBe(400);
      expect(r.json()).toMatchObject({ errcode: "M_NOT_JSON" });
    }
    const poisoned = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "text/plain" }, payload: '{"__proto__":{"x":1}}' });
    expect(poisoned.statusCode).toBe(400);
  });

  it("schema violation → 400 M_BAD_JSON naming the field", async () => {
    const r = await server.inject({ method: "POST", url: "/schema", payload: { name: "a", n: "x" } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ errcode: "M_BAD_JSON", error: "body.n: must be integer" });
    const missing = await server.inject({ method: "POST", url: "/schema", payload: {} });
    expect(missing.json()).toMatchObject({ errcode: "M_BAD_JSON", error: expect.stringContaining("name") });
  });

  it("text storage cannot hold (NUL, an unpaired surrogate) → 400 naming where, before any handler", async () => {
    const cases: Array<[string, string, string]> = [
      ['{"a":{"b":["x","y\\u0000"]}}', "M_BAD_JSON", "body.a.b.1: NUL characters (U+0000) are not allowed"],
      ['{"a":"\\ud800"}', "M_BAD_JSON", "body.a: unpaired UTF-16 surrogates are not valid Unicode"],
      ['{"k\\udc00x":1}', "M_BAD_JSON", "body.k\udc00x: unpaired UTF-16 surrogates are not valid Unicode"],
    ];
    for (const [payload, errcode, error] of cases) {
      const r = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload });
      expect(r.statusCode, payload).toBe(400);
      expect(r.json(), payload).toEqual({ errcode, error });
    }
    const inPath = await server.inject({ method: "GET", url: "/_matrix/client/v3/rooms/!a%00b:x/state" });
    expect(inPath.statusCode).toBe(400);
    expect(inPath.json()).toEqual({ errcode: "M_INVALID_PARAM", error: "path.roomId: NUL characters (U+0000) are not allowed" });
    const inQuery = await server.inject({ method: "GET", url: "/_matrix/client/v3/rooms/!a:x/state?from=%00" });
    expect(inQuery.json()).toEqual({ errcode: "M_INVALID_PARAM", error: "query.from: NUL characters (U+0000) are not allowed" });
    // Percent-encoding that is not UTF-8 (here a lone surrogate's bytes) fails before routing.
    const badUrl = await server.inject({ method: "GET", url: "/_matrix/client/v3/rooms/a%ED%A0%80/state" });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json()).toEqual({ errcode: "M_INVALID_PARAM", error: "The request path is not valid percent-encoded UTF-8" });
    expect(badUrl.headers["access-control-allow-origin"]).toBe("*");
    // A surrogate pair (an emoji) is ordinary text.
    const emoji = await server.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload: '{"a":"\\ud83d\\udca9 💩"}' });
    expect(emoji.json()).toEqual({ got: { a: "💩 💩" } });
  });

  it("body too large → 413 M_TOO_LARGE", async () => {
    const r = await server.inject({ method: "POST", url: "/echo", payload: { big: "x".repeat(2000) } });
    expect(r.statusCode).toBe(413);
    expect(r.json()).toEqual({ errcode: "M_TOO_LARGE", error: "Request body is too large" });
  });

  it("thrown MatrixError → its status and body, extras included", async () => {
    const f = await server.inject({ method: "GET", url: "/forbidden" });
    expect(f.statusCode).toBe(403);
    expect(f.json()).toEqual({ errcode: "M_FORBIDDEN", error: "You shall not pass" });
    const l = await server.inject({ method: "GET", url: "/limited" });
    expect(l.statusCode).toBe(429);
    expect(l.json()).toEqual({ errcode: "M_LIMIT_EXCEEDED", error: "Too many", retry_after_ms: 2000 });
  });

  it("any other error → 500 M_UNKNOWN, logged with the request ID, detail not leaked", async () => {
    const r = await server.inject({ method: "GET", url: "/boom" });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ errcode: "M_UNKNOWN", error: "Internal server error" });
    const logged = lines.find((l) => l["msg"] === "request failed");
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain("secret internal detail");
    expect(logged!["req_id"]).toEqual(expect.any(String));
    expect(logged!["component"]).toBe("http");
  });

  it("logs one line per request with a request ID", async () => {
    await server.inject({ method: "GET", url: "/forbidden" });
    const l = lines.filter((x) => x["msg"] === "request" && x["url"] === "/forbidden").at(-1)!;
    expect(l).toMatchObject({ method: "GET", status: 403, req_id: expect.any(String), level: "info" });
  });
});

describe("request loggers (made only when a line is written)", () => {
  it("at level warn: no request lines, yet a failure is logged with its own request's ID", async () => {
    const quiet: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write: (c, _e, cb) => {
        for (const l of String(c).split("\n")) if (l) quiet.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const s = createHttpServer({ logger: createLogger({ level: "warn" }, { destination: sink }) });
    s.get("/ok", async (req) => {
      req.log.info("not written");
      return { id: req.id };
    });
    s.get("/boom", async (req) => {
      req.log.warn({ step: 1 }, "about to fail");
      throw new Error("kaput");
    });
    try {
      await s.inject({ method: "GET", url: "/ok" });
      const failed = await s.inject({ method: "GET", url: "/boom" });
      expect(failed.statusCode).toBe(500);
      expect(quiet.map((l) => l["msg"])).toEqual(["about to fail", "request failed"]);
      const [warned, logged] = quiet;
      expect(warned).toMatchObject({ level: "warn", step: 1, component: "http" });
      expect(logged).toMatchObject({ level: "error", component: "http" });
      expect(warned!["req_id"]).toEqual(expect.any(String));
      expect(logged!["req_id"]).toBe(warned!["req_id"]);
      await s.inject({ method: "GET", url: "/boom" });
      expect(quiet).toHaveLength(4);
      expect(quiet[2]!["req_id"]).not.toBe(warned!["req_id"]);
    } finally {
      await closeServer(s);
    }
  });
});

describe("CORS", () => {
  it("headers on success, errors and 404s", async () => {
    for (const url of ["/_matrix/client/v3/rooms/!r:x/state", "/forbidden", "/boom", "/nope"]) {
      const r = await server.inject({ method: "GET", url });
      expect(r.headers).toMatchObject(CORS);
    }
  });

  it("OPTIONS preflight answered for any path", async () => {
    for (const url of ["/_matrix/client/v3/rooms/!r:x/state", "/_matrix/client/v3/whatever"]) {
      const r = await server.inject({
        method: "OPTIONS",
        url,
        headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
      expect(r.statusCode).toBe(204);
      expect(r.headers).toMatchObject(CORS);
    }
  });
});

describe("metrics", () => {
  it("GET /metrics serves Prometheus text with per-route counts", async () => {
    const before = (await server.inject({ method: "GET", url: "/metrics" })).body;
    const stateLabels = String.raw`\{method="GET",route="\/_matrix\/client\/v3\/rooms\/:roomId\/state",status="200"\} (\d+)`;
    const stateCount = (text: string) => Number(new RegExp(`dendrite_http_requests_total${stateLabels}`).exec(text)?.[1] ?? 0);
    const stateTimed = (text: string) => Number(new RegExp(`dendrite_http_request_duration_seconds_count${stateLabels}`).exec(text)?.[1] ?? 0);
    await server.inject({ method: "GET", url: "/_matrix/client/v3/rooms/!a:x/state" });
    await server.inject({ method: "GET", url: "/_matrix/client/v3/rooms/!b:x/state" });
    await server.inject({ method: "OPTIONS", url: "/_matrix/client/v3/rooms/!b:x/state" });
    recordStreamLag(metrics, { stream: "OutputRoomEvent", consumer: "syncapi" }, 7);
    recordDbPool(metrics, "roomserver", { inUse: 2, idle: 3, max: 10 });
    const r = await server.inject({ method: "GET", url: "/metrics" });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toContain("text/plain");
    expect(stateCount(r.body)).toBe(stateCount(before) + 2);
    expect(stateTimed(r.body)).toBe(stateTimed(before) + 2);
    expect(r.body).toMatch(/dendrite_http_requests_total\{method="GET",route="unmatched",status="404"\}/);
    expect(r.body).toMatch(/dendrite_http_requests_total\{method="OPTIONS",route="options",status="204"\} \d+/);
    expect(r.body).toContain("dendrite_http_request_duration_seconds_bucket");
    expect(r.body).toContain('dendrite_stream_consumer_lag{stream="OutputRoomEvent",consumer="syncapi"} 7');
    expect(r.body).toContain('dendrite_db_pool_connections{pool="roomserver",state="in_use"} 2');
  });

  it("gauges are registered once by name", () => {
    expect(metrics.gauge("x_g", "h", ["a"])).toBe(metrics.gauge("x_g", "h", ["a"]));
  });
});

describe("listen", () => {
  it("parses host:port forms", () => {
    expect(parseListenAddress("127.0.0.1:8008")).toEqual({ host: "127.0.0.1", port: 8008 });
    expect(parseListenAddress(":8008")).toEqual({ host: "0.0.0.0", port: 8008 });
    expect(parseListenAddress("[::1]:8448")).toEqual({ host: "::1", port: 8448 });
    expect(() => parseListenAddress("nope")).toThrow(/host:port/);
  });

  it("a request Node's parser refuses (URL and headers over 16 KiB, a broken request line) is a Matrix error too", async () => {
    const s = createHttpServer({ logger: createLogger({ level: "silent" }) });
    s.get("/ping", async () => ({ ok: true }));
    const { url } = await listen(s, "127.0.0.1:0");
    try {
      const long = await fetch(`${url}/ping?filter=${"a".repeat(20_000)}`);
      expect(long.status).toBe(431);
      expect(await long.json()).toEqual({ errcode: "M_TOO_LARGE", error: "The request's URL and headers are too large" });
      expect(long.headers.get("access-control-allow-origin")).toBe("*");
      const raw = await new Promise<string>((resolve, reject) => {
        const sock = connect(Number(new URL(url).port), "127.0.0.1", () => sock.write("NOT A REQUEST\r\n\r\n"));
        let got = "";
        sock.on("data", (d: Buffer) => (got += d.toString()));
        sock.on("close", () => resolve(got));
        sock.on("error", reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))).toEqual({ errcode: "M_UNKNOWN", error: "Malformed HTTP request" });
    } finally {
      await closeServer(s);
    }
  });

  it("listens on a real port, answers, and closes gracefully", async () => {
    const s = createHttpServer({ logger: createLogger({ level: "silent" }) });
    s.get("/ping", async () => ({ ok: true }));
    const { url, port } = await listen(s, "127.0.0.1:0");
    expect(port).toBeGreaterThan(0);
    const r = await fetch(`${url}/ping`);
    expect(await r.json()).toEqual({ ok: true });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    await closeServer(s);
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
  });
});
