/**
 * The outbound HTTP client: certificates verified by default, a configured CA honoured,
 * redirects only when asked, size and time limits.
 */
import { createServer as createHttpsServer, type Server } from "node:https";
import { createServer as createPlainServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey, signJson } from "@dendrite-ts/protocol";
import { localClient } from "@dendrite-ts/runtime";
import { serverKeyContract } from "../src/index";
import { createJsonHttp } from "../src/http/json-http";
import { startNode, stopNode, type Node } from "./harness";

const TLS = join(import.meta.dirname, "fixtures/tls");
const caFile = join(TLS, "ca.pem");
const ca = readFileSync(caFile);
const tlsKey = generateSigningKey("ed25519:tls");

function handler(req: IncomingMessage, res: ServerResponse) {
  const send = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };
  if (req.url === "/_matrix/key/v2/server") {
    const body = signJson(
      { server_name: "tls.test", verify_keys: { "ed25519:tls": { key: encodeBase64(tlsKey.publicKey) } }, valid_until_ts: Date.now() + 3_600_000 },
      "tls.test",
      tlsKey,
    );
    return send(200, JSON.stringify(body));
  }
  if (req.url === "/json") return send(200, JSON.stringify({ host: req.headers.host }));
  if (req.url === "/redirect") return send(302, "{}", { location: "/json" });
  if (req.url === "/big") return send(200, JSON.stringify({ pad: "x".repeat(4096) }));
  if (req.url === "/slow") return void setTimeout(() => send(200, "{}"), 2_000);
  return send(404, "{}");
}

let https: Server;
let httpsUrl: string;
let plain: ReturnType<typeof createPlainServer>;
let plainUrl: string;

beforeAll(async () => {
  https = createHttpsServer({ key: readFileSync(join(TLS, "server.key")), cert: readFileSync(join(TLS, "server.pem")) }, handler);
  plain = createPlainServer(handler);
  await Promise.all([new Promise<void>((r) => https.listen(0, "127.0.0.1", r)), new Promise<void>((r) => plain.listen(0, "127.0.0.1", r))]);
  httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
  https.closeAllConnections();
  plain.closeAllConnections();
  await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => plain.close(r))]);
});

describe("json http client", () => {
  it("refuses a certificate from an unknown CA by default", async () => {
    await expect(createJsonHttp()(`${httpsUrl}/json`)).rejects.toThrow(/certificate/i);
  });

  it("accepts it with the CA configured, and sends our Host header", async () => {
    const res = await createJsonHttp({ ca })(`${httpsUrl}/json`, { host: "tls.test" });
    expect(res).toMatchObject({ status: 200, body: { host: "tls.test" } });
  });

  it("checks the certificate against tlsServerName when given (SRV targets)", async () => {
    const http = createJsonHttp({ ca });
    expect((await http(`${httpsUrl}/json`, { tlsServerName: "localhost" })).status).toBe(200);
    await expect(http(`${httpsUrl}/json`, { tlsServerName: "other.test" })).rejects.toThrow(/altnames/);
  });

  it("skip_tls_verify accepts anything", async () => {
    expect((await createJsonHttp({ skipTlsVerify: true })(`${httpsUrl}/json`)).status).toBe(200);
  });

  it("follows redirects only when asked", async () => {
    const http = createJsonHttp();
    expect((await http(`${plainUrl}/redirect`)).status).toBe(302);
    expect((await http(`${plainUrl}/redirect`, { maxRedirects: 3 })).status).toBe(200);
  });

  it("caps the body size and the time", async () => {
    await expect(createJsonHttp({ maxBytes: 1024 })(`${plainUrl}/big`)).rejects.toThrow(/larger than 1024/);
    await expect(createJsonHttp({ timeoutMs: 200 })(`${plainUrl}/slow`)).rejects.toThrow(/timed out/);
  });

  it("an injected fetch is used instead", async () => {
    const seen: string[] = [];
    const http = createJsonHttp({ fetch: async (url, init) => (seen.push(String(url)), fetch(url, init)) });
    expect((await http(`${plainUrl}/json`)).status).toBe(200);
    expect(seen).toEqual([`${plainUrl}/json`]);
  });
});

describe("key fetching over TLS with federation.tls_ca_file", () => {
  let withCa: Node, withoutCa: Node;
  beforeAll(async () => {
    withCa = await startNode({ name: "a.test", map: { "tls.test": httpsUrl }, tlsCaFile: caFile });
    withoutCa = await startNode({ name: "b.test", map: { "tls.test": httpsUrl } });
  });
  afterAll(async () => Promise.all([stopNode(withCa), stopNode(withoutCa)]));

  const ask = async (n: Node) =>
    (
      await localClient(serverKeyContract, n.api).queryPublicKeys({
        body: { requests: [{ server_name: "tls.test", key_id: "ed25519:tls", minimum_valid_until_ts: 0 }] },
      })
    ).body.keys;

  it("fetches from a server whose certificate the configured CA signed", async () => {
    expect(await ask(withCa)).toMatchObject([{ key: encodeBase64(tlsKey.publicKey) }]);
  });

  it("does not without that CA", async () => {
    expect(await ask(withoutCa)).toEqual([]);
  });
});
