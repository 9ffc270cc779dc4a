/**
 * A minimal key server for federation tests: serves a real, self-signed
 * `/_matrix/key/v2/server` response for a name it holds the key of — or a tampered one.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { encodeBase64, generateSigningKey, signJson, type SigningKey } from "@dendrite-ts/protocol";

export interface StaticKeyServer {
  readonly url: string;
  readonly key: SigningKey;
  close(): Promise<void>;
}

export type Tamper = "none" | "swap-key-after-signing" | "wrong-server-name";

export async function startStaticKeyServer(serverName: string, tamper: Tamper = "none"): Promise<StaticKeyServer> {
  const key = generateSigningKey("ed25519:static");
  const server = http.createServer((req, res) => {
    if (req.url !== "/_matrix/key/v2/server") {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end('{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}');
    }
    const body = {
      server_name: tamper === "wrong-server-name" ? `not-${serverName}` : serverName,
      verify_keys: { [key.keyId]: { key: encodeBase64(key.publicKey) } },
      old_verify_keys: {},
      valid_until_ts: Date.now() + 3_600_000,
    };
    const signed = signJson(body, body.server_name, key);
    if (tamper === "swap-key-after-signing") {
      signed.verify_keys[key.keyId] = { key: encodeBase64(generateSigningKey("ed25519:other").publicKey) };
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(signed));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, key, close: () => new Promise((r) => server.close(() => r())) };
}
