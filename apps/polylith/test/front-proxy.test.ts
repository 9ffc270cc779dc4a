import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontProxy, routeFor } from "../src/front-proxy";

describe("routeFor", () => {
  const routes = [
    { prefix: "/_matrix/client/", target: "http://a" },
    { prefix: "/_matrix/client/v3/sync", target: "http://sync" },
    { prefix: "/_matrix/key/", target: "http://keys" },
    { pattern: /^\/_matrix\/client\/v3\/rooms\/[^/]+\/messages$/, target: "http://sync" },
  ];
  it("takes the longest matching prefix", () => {
    expect(routeFor(routes, "/_matrix/client/v3/sync")?.target).toBe("http://sync");
    expect(routeFor(routes, "/_matrix/client/v3/login")?.target).toBe("http://a");
    expect(routeFor(routes, "/_matrix/key/v2/server")?.target).toBe("http://keys");
  });
  it("a pattern wins over a prefix", () => {
    expect(routeFor(routes, "/_matrix/client/v3/rooms/!a:b/messages")?.target).toBe("http://sync");
    expect(routeFor(routes, "/_matrix/client/v3/rooms/!a:b/send/m.room.message/1")?.target).toBe("http://a");
  });
  it("matches nothing outside the table", () => {
    expect(routeFor(routes, "/_matrix/media/v3/upload")).toBeUndefined();
  });
});

describe("front proxy", () => {
  let upstream: http.Server;
  let proxy: http.Server;
  let proxyUrl = "";

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json", "x-upstream": "yes" });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers.authorization ?? null }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    const up = upstream.address() as AddressInfo;
    proxy = createFrontProxy([
      { prefix: "/_matrix/client/", target: `http://127.0.0.1:${up.port}` },
      { prefix: "/_matrix/key/", target: "http://127.0.0.1:1" }, // nothing listens on port 1
    ]);
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => proxy.close(r));
    await new Promise((r) => upstream.close(r));
  });

  it("forwards method, path, query, headers and body, and passes the answer back", async () => {
    const res = await fetch(`${proxyUrl}/_matrix/client/v3/login?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(await res.json()).toEqual({ method: "POST", url: "/_matrix/client/v3/login?x=1", body: '{"a":1}', auth: "Bearer t" });
  });

  it("answers an unknown path with 404 M_UNRECOGNIZED", async () => {
    const res = await fetch(`${proxyUrl}/_matrix/media/v3/config`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });

  it("answers 502 when the component is down", async () => {
    const res = await fetch(`${proxyUrl}/_matrix/key/v2/server`);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ errcode: "M_UNKNOWN" });
  });
});
