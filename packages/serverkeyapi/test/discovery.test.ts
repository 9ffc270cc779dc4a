/** Resolving server names (server-server API): the steps we implement, in order. */
import { describe, expect, it } from "vitest";
import type { SrvRecord } from "node:dns";
import { createDiscovery, type DiscoveryOptions } from "../src/discovery";
import type { JsonHttp, JsonResponse } from "../src/http/json-http";

function fakeHttp(wellKnown: Record<string, JsonResponse | Error>) {
  const calls: string[] = [];
  const http: JsonHttp = async (url) => {
    calls.push(url);
    const host = new URL(url).host;
    const r = wellKnown[host];
    if (r === undefined || r instanceof Error) throw r ?? new Error("ECONNREFUSED");
    return r;
  };
  return { http, calls };
}

/** No SRV records anywhere unless a test says so: these tests never touch real DNS. */
function discovery(opts: Omit<DiscoveryOptions, "resolveSrv"> & { srv?: Record<string, SrvRecord[]> }) {
  const srv = opts.srv ?? {};
  return createDiscovery({
    ...opts,
    resolveSrv: async (name) => {
      const r = srv[name];
      if (r === undefined) throw Object.assign(new Error(`queryNotFound ${name}`), { code: "ENOTFOUND" });
      return r;
    },
  });
}

const ok = (body: unknown, headers: Record<string, string> = {}): JsonResponse => ({ status: 200, headers, body });

describe("server discovery", () => {
  it("server_name_map wins over everything", async () => {
    const { http, calls } = fakeHttp({});
    const d = discovery({ serverNameMap: { "a.test": "http://127.0.0.1:5000/" }, http, now: () => 0 });
    expect(await d.resolve("a.test")).toEqual({ baseUrl: "http://127.0.0.1:5000", host: "a.test", configured: true });
    expect(calls).toEqual([]);
  });

  it.each([
    ["1.2.3.4", "https://1.2.3.4:8448", "1.2.3.4"],
    ["1.2.3.4:99", "https://1.2.3.4:99", "1.2.3.4:99"],
    ["[::1]", "https://[::1]:8448", "[::1]"],
    ["[::1]:99", "https://[::1]:99", "[::1]:99"],
    ["example.org:1234", "https://example.org:1234", "example.org:1234"],
  ])("%s: IP literal or explicit port, no .well-known", async (name, baseUrl, host) => {
    const { http, calls } = fakeHttp({});
    const d = discovery({ serverNameMap: {}, http, now: () => 0 });
    expect(await d.resolve(name)).toEqual({ baseUrl, host });
    expect(calls).toEqual([]);
  });

  it("delegates through /.well-known/matrix/server (with and without a port)", async () => {
    const { http, calls } = fakeHttp({
      "example.org": ok({ "m.server": "matrix.example.org:443" }),
      "other.org": ok({ "m.server": "fed.other.org" }),
    });
    const d = discovery({ serverNameMap: {}, http, now: () => 0 });
    expect(await d.resolve("example.org")).toEqual({ baseUrl: "https://matrix.example.org:443", host: "matrix.example.org:443" });
    expect(await d.resolve("other.org")).toEqual({ baseUrl: "https://fed.other.org:8448", host: "fed.other.org" });
    expect(calls).toEqual(["https://example.org/.well-known/matrix/server", "https://other.org/.well-known/matrix/server"]);
  });

  it.each([
    ["unreachable", new Error("ECONNREFUSED")],
    ["404", { status: 404, headers: {}, body: {} }],
    ["not JSON", { status: 200, headers: {}, body: undefined }],
    ["no m.server", ok({})],
    ["invalid m.server", ok({ "m.server": "not a server name!" })],
  ])("falls back to port 8448 when .well-known is %s", async (_n, r) => {
    const { http } = fakeHttp({ "example.org": r as JsonResponse | Error });
    const d = discovery({ serverNameMap: {}, http, now: () => 0 });
    expect(await d.resolve("example.org")).toEqual({ baseUrl: "https://example.org:8448", host: "example.org" });
  });

  it("caches .well-known for its max-age (capped at 48 h), errors for an hour", async () => {
    let t = 0;
    const { http, calls } = fakeHttp({ "example.org": ok({ "m.server": "m.example.org:443" }, { "cache-control": "max-age=600" }) });
    const d = discovery({ serverNameMap: {}, http, now: () => t });
    await d.resolve("example.org");
    t += 599_000;
    await d.resolve("example.org");
    expect(calls).toHaveLength(1);
    t += 2_000;
    await d.resolve("example.org");
    expect(calls).toHaveLength(2);

    const failing = fakeHttp({});
    const d2 = discovery({ serverNameMap: {}, http: failing.http, now: () => t });
    await d2.resolve("down.org");
    t += 3_599_000;
    await d2.resolve("down.org");
    expect(failing.calls).toHaveLength(1);
    t += 2_000;
    await d2.resolve("down.org");
    expect(failing.calls).toHaveLength(2);
  });

  it("without .well-known: SRV _matrix-fed._tcp, keeping Host and certificate name", async () => {
    const d = discovery({
      serverNameMap: {},
      http: fakeHttp({}).http,
      now: () => 0,
      srv: {
        "_matrix-fed._tcp.example.org": [
          { name: "backup.example.org", port: 9000, priority: 20, weight: 0 },
          { name: "fed.example.org.", port: 8443, priority: 10, weight: 5 },
        ],
        "_matrix._tcp.example.org": [{ name: "old.example.org", port: 1, priority: 0, weight: 0 }],
      },
    });
    expect(await d.resolve("example.org")).toEqual({
      baseUrl: "https://fed.example.org:8443",
      host: "example.org",
      tlsServerName: "example.org",
    });
  });

  it("falls back to the deprecated _matrix._tcp record", async () => {
    const d = discovery({
      serverNameMap: {},
      http: fakeHttp({}).http,
      now: () => 0,
      srv: { "_matrix._tcp.example.org": [{ name: "old.example.org", port: 4444, priority: 0, weight: 0 }] },
    });
    expect(await d.resolve("example.org")).toMatchObject({ baseUrl: "https://old.example.org:4444", host: "example.org" });
  });

  it("a delegated name without a port is looked up by SRV too", async () => {
    const d = discovery({
      serverNameMap: {},
      http: fakeHttp({ "example.org": ok({ "m.server": "deleg.example.net" }) }).http,
      now: () => 0,
      srv: { "_matrix-fed._tcp.deleg.example.net": [{ name: "host.example.net", port: 7000, priority: 0, weight: 0 }] },
    });
    expect(await d.resolve("example.org")).toEqual({
      baseUrl: "https://host.example.net:7000",
      host: "deleg.example.net",
      tlsServerName: "deleg.example.net",
    });
  });

  it("rejects an invalid server name", async () => {
    const d = discovery({ serverNameMap: {}, http: fakeHttp({}).http, now: () => 0 });
    await expect(d.resolve("bad name")).rejects.toThrow(/Invalid server name/);
  });
});
