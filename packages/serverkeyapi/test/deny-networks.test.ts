/**
 * Outbound requests to private addresses (federation.deny_networks / allow_networks), against a
 * real HTTPS key server on 127.0.0.1: refused by default — for names that resolve there, IP
 * literals, .well-known, SRV targets and notaries — without a connection attempt; allowed by
 * allow_networks or by the admin's own server_name_map. A refusal is an unreachable server to
 * callers (no keys, no 500) and a clear line in the log.
 */
import { createServer as createHttpsServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, signJson } from "@dendrite-ts/protocol";
import { closeServer, createHttpServer, createLogger, listen, localClient, openTestDatabase, type Database, type HttpServer } from "@dendrite-ts/runtime";
import { createServerKeyApi, DeniedDestinationError, registerKeyRoutes, serverKeyContract, type ResolveHost, type ServerKeyApiConfig } from "../src/index";
import { createDiscovery } from "../src/discovery";
import { createJsonHttp } from "../src/http/json-http";
import { createNetworkPolicy, DEFAULT_DENY_NETWORKS } from "../src/http/networks";
import { createRemoteKeyFetcher } from "../src/internal/remote-fetch";

const TLS = join(import.meta.dirname, "fixtures/tls");
const caFile = join(TLS, "ca.pem"); // the certificate is for localhost and 127.0.0.1
const remoteKey = generateSigningKey("ed25519:remote");
const LOOPBACK = ["127.0.0.0/8", "::1/128"];

/** The key server: signs its answer for whatever name it was asked by (the Host header). */
let server: Server;
let port = 0;
let connections = 0;
const paths: string[] = [];
function handler(req: IncomingMessage, res: ServerResponse) {
  paths.push(req.url ?? "");
  const name = req.headers.host ?? "";
  if (req.url === "/redirect") return void res.writeHead(302, { location: `https://127.0.0.2:${port}/x` }).end();
  res.writeHead(req.url === "/_matrix/key/v2/server" ? 200 : 404, { "content-type": "application/json" });
  if (req.url !== "/_matrix/key/v2/server") return res.end("{}");
  const body = signJson(
    { server_name: name, verify_keys: { [remoteKey.keyId]: { key: encodeBase64(remoteKey.publicKey) } }, valid_until_ts: Date.now() + 3_600_000 },
    name,
    remoteKey,
  );
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createHttpsServer({ key: readFileSync(join(TLS, "server.key")), cert: readFileSync(join(TLS, "server.pem")) }, handler);
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  connections = 0;
  paths.length = 0;
});

interface Node {
  db: Database;
  api: Awaited<ReturnType<typeof createServerKeyApi>>;
  logs: Record<string, unknown>[];
  http?: HttpServer;
  url?: string;
}
const nodes: Node[] = [];
afterAll(async () => {
  for (const n of nodes) {
    if (n.http) await closeServer(n.http, 1000);
    await n.db.close();
  }
});

async function startNode(federation: Partial<ServerKeyApiConfig["federation"]>, extra: { trusted?: ServerKeyApiConfig["trusted_key_servers"]; resolveHost?: ResolveHost; routes?: boolean } = {}): Promise<Node> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "info", format: "json" }, { destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const db = await openTestDatabase();
  const api = await createServerKeyApi({
    db,
    config: {
      server_name: "us.test",
      key_validity_period: 3_600_000,
      trusted_key_servers: extra.trusted ?? [],
      federation: { server_name_map: {}, tls_ca_file: caFile, ...federation },
    },
    signingKey: generateSigningKey("ed25519:us"),
    oldKeys: [],
    logger,
    minRefetchIntervalMs: 0,
    fetchTimeoutMs: 5_000,
    ...(extra.resolveHost ? { resolveHost: extra.resolveHost } : {}),
  });
  const node: Node = { db, api, logs };
  if (extra.routes) {
    node.http = createHttpServer({ logger: createLogger({ level: "silent" as never }) });
    registerKeyRoutes(node.http, localClient(serverKeyContract, api));
    node.url = (await listen(node.http, "127.0.0.1:0")).url;
  }
  nodes.push(node);
  return node;
}

const keysFor = async (n: Node, serverName: string) =>
  (
    await localClient(serverKeyContract, n.api).queryPublicKeys({
      body: { requests: [{ server_name: serverName, key_id: remoteKey.keyId, minimum_valid_until_ts: 0 }] },
    })
  ).body.keys;

const refusals = (n: Node) => n.logs.filter((l) => typeof l.msg === "string" && l.msg.startsWith("outbound request refused"));

describe("a key fetch for a name that resolves to 127.0.0.1 (real DNS: localhost)", () => {
  it("is refused by default, with no connection and a clear log line", async () => {
    const n = await startNode({});
    expect(await keysFor(n, `localhost:${port}`)).toEqual([]);
    expect(connections).toBe(0);
    expect(refusals(n)).toEqual([
      expect.objectContaining({
        level: "warn",
        host: "localhost",
        address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
        rule: expect.stringMatching(/^(127\.0\.0\.0\/8|::1\/128)$/),
        msg: expect.stringMatching(/refused to connect to localhost \(.*\): the address is in federation\.deny_networks.*allow_networks/),
      }),
    ]);
  });

  it("is made with allow_networks", async () => {
    const n = await startNode({ allow_networks: LOOPBACK });
    expect(await keysFor(n, `localhost:${port}`)).toEqual([expect.objectContaining({ server_name: `localhost:${port}`, key: encodeBase64(remoteKey.publicKey) })]);
    expect(paths).toEqual(["/_matrix/key/v2/server"]);
    expect(refusals(n)).toEqual([]);
  });

  it("is made when the admin mapped the name in server_name_map", async () => {
    const n = await startNode({ server_name_map: { "mapped.test": `https://localhost:${port}` } });
    expect(await keysFor(n, "mapped.test")).toEqual([expect.objectContaining({ server_name: "mapped.test" })]);
    expect(refusals(n)).toEqual([]);
  });

  it("an empty deny list allows it", async () => {
    const n = await startNode({ deny_networks: [] });
    expect(await keysFor(n, `localhost:${port}`)).toHaveLength(1);
  });
});

describe("IP literals", () => {
  it.each(["127.0.0.1:PORT", "[::1]:PORT", "[::ffff:127.0.0.1]:PORT", "[::ffff:7f00:1]:PORT", "169.254.169.254", "10.0.0.1:8448"])(
    "%s is refused without a connection attempt",
    async (name) => {
      const n = await startNode({});
      expect(await keysFor(n, name.replace("PORT", String(port)))).toEqual([]);
      expect(connections).toBe(0);
      expect(refusals(n)).toHaveLength(1);
    },
  );

  it("127.0.0.1 is allowed with allow_networks", async () => {
    const n = await startNode({ allow_networks: ["127.0.0.1"] });
    expect(await keysFor(n, `127.0.0.1:${port}`)).toHaveLength(1);
  });
});

describe("names resolved at connection time", () => {
  it("one denied address among the answers refuses the name (no picking the public one)", async () => {
    const resolveHost: ResolveHost = async (h) =>
      h === "mixed.test" ? [{ address: "93.184.216.34", family: 4 }, { address: "127.0.0.1", family: 4 }] : [];
    const n = await startNode({}, { resolveHost });
    expect(await keysFor(n, `mixed.test:${port}`)).toEqual([]);
    expect(connections).toBe(0);
    expect(refusals(n)).toEqual([expect.objectContaining({ host: "mixed.test", address: "127.0.0.1" })]);
  });

  it("the addresses checked are the ones the connection's own lookup returned: one lookup, nothing for a rebinding name to slip between", async () => {
    const lookups: string[] = [];
    const resolveHost: ResolveHost = async (h) => (lookups.push(h), [{ address: "127.0.0.1", family: 4 }]);
    const denying = createJsonHttp({ ca: readFileSync(caFile), networks: createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS }), resolveHost });
    await expect(denying(`https://rebind.test:${port}/x`, { tlsServerName: "localhost" })).rejects.toThrow(DeniedDestinationError);
    expect(lookups).toEqual(["rebind.test"]);
    expect(connections).toBe(0);
    // Allowed, the socket connects to exactly what that lookup answered.
    const allowing = createJsonHttp({ ca: readFileSync(caFile), networks: createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS, allow: LOOPBACK }), resolveHost });
    expect((await allowing(`https://rebind.test:${port}/x`, { tlsServerName: "localhost" })).status).toBe(404);
    expect(lookups).toEqual(["rebind.test", "rebind.test"]);
    expect(connections).toBe(1);
  });

  it(".well-known and SRV targets are checked too", async () => {
    const denied: string[] = [];
    const resolveHost: ResolveHost = async (h) => [{ address: h === "example.test" ? "127.0.0.1" : "10.0.0.5", family: 4 }];
    const http = createJsonHttp({
      networks: createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS }),
      resolveHost,
      onDenied: (e) => denied.push(`${e.hostname} ${e.address}`),
    });
    const discovery = createDiscovery({
      serverNameMap: {},
      http,
      now: Date.now,
      resolveSrv: async (name) => (name === "_matrix-fed._tcp.example.test" ? [{ name: "internal.example.test", port, priority: 0, weight: 0 }] : []),
    });
    const fetcher = createRemoteKeyFetcher({ discovery, http });
    await expect(fetcher.direct("example.test")).rejects.toThrow(/refused to connect to internal\.example\.test \(10\.0\.0\.5\)/);
    expect(denied).toEqual(["example.test 127.0.0.1", "internal.example.test 10.0.0.5"]);
    expect(connections).toBe(0);
  });

  it("a redirect is checked even when the first hop was the admin's own mapping", async () => {
    const http = createJsonHttp({ ca: readFileSync(caFile), networks: createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS }) });
    expect((await http(`https://127.0.0.1:${port}/x`, { unrestricted: true })).status).toBe(404);
    await expect(http(`https://127.0.0.1:${port}/redirect`, { unrestricted: true, maxRedirects: 3 })).rejects.toThrow(DeniedDestinationError);
    expect(paths).toEqual(["/x", "/redirect"]);
  });
});

describe("notaries", () => {
  const notaryKey = generateSigningKey("ed25519:notary");
  const trusted = () => [{ server_name: `localhost:${port}`, keys: { [notaryKey.keyId]: encodeBase64(notaryKey.publicKey) } }];

  it("a configured notary on a denied network is not asked (as in Synapse: only allow_networks or server_name_map let it through)", async () => {
    const n = await startNode({ server_name_map: { "down.test": "http://127.0.0.1:1" } }, { trusted: trusted() });
    expect(await keysFor(n, "down.test")).toEqual([]);
    expect(connections).toBe(0);
    expect(refusals(n)).toEqual([expect.objectContaining({ host: "localhost" })]);
  });

  it("with allow_networks it is asked", async () => {
    const n = await startNode({ server_name_map: { "down.test": "http://127.0.0.1:1" }, allow_networks: LOOPBACK }, { trusted: trusted() });
    expect(await keysFor(n, "down.test")).toEqual([]); // our key server is no notary: it answers 404
    expect(paths).toEqual(["/_matrix/key/v2/query"]);
  });
});

describe("acting as a notary", () => {
  it("a query for a denied server answers 200 with no keys, like an unreachable one", async () => {
    const n = await startNode({}, { routes: true });
    for (const name of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const get = await fetch(`${n.url}/_matrix/key/v2/query/${name}`);
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual({ server_keys: [] });
    }
    const post = await fetch(`${n.url}/_matrix/key/v2/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ server_keys: { "[::1]": {}, [`localhost:${port}`]: {} } }),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ server_keys: [] });
    expect(connections).toBe(0);
  });
});
