/**
 * Fetching a server's keys from the network: from the server itself (`GET
 * /_matrix/key/v2/server`) or through a trusted notary (`POST /_matrix/key/v2/query`). Whatever
 * comes back is verified (key-response.ts) before anyone sees it.
 */
import type { Discovery } from "../discovery";
import type { JsonHttp } from "../http/json-http";
import { KeyResponseError, verifyKeyResponse, type NotaryCheck, type VerifiedKeyResponse } from "./key-response";

export interface TrustedNotary extends NotaryCheck {}

export interface RemoteKeyFetcher {
  /** The server's own answer, verified. Throws on any failure. */
  direct(serverName: string): Promise<VerifiedKeyResponse>;
  /**
   * A notary's answer for `serverName`, asking for `keyIds` valid until `minValidUntilTs`.
   * Returns the verified responses (possibly none); throws when the notary cannot be asked.
   */
  viaNotary(notary: TrustedNotary, serverName: string, keyIds: readonly string[], minValidUntilTs: number): Promise<VerifiedKeyResponse[]>;
}

export function createRemoteKeyFetcher(deps: { discovery: Discovery; http: JsonHttp }): RemoteKeyFetcher {
  async function call(serverName: string, path: string, body?: unknown) {
    const target = await deps.discovery.resolve(serverName);
    const res = await deps.http(`${target.baseUrl}${path}`, {
      host: target.host,
      ...(target.configured === true ? { unrestricted: true } : {}),
      ...(target.tlsServerName !== undefined ? { tlsServerName: target.tlsServerName } : {}),
      ...(body !== undefined ? { method: "POST" as const, body } : {}),
    });
    if (res.status !== 200) throw new KeyResponseError(`${serverName} answered ${path} with HTTP ${res.status}`);
    return res.body;
  }

  return {
    async direct(serverName) {
      return verifyKeyResponse(await call(serverName, "/_matrix/key/v2/server"), serverName);
    },

    async viaNotary(notary, serverName, keyIds, minValidUntilTs) {
      const criteria = Object.fromEntries(keyIds.map((id) => [id, { minimum_valid_until_ts: minValidUntilTs }]));
      const body = await call(notary.serverName, "/_matrix/key/v2/query", { server_keys: { [serverName]: criteria } });
      const list = (body as { server_keys?: unknown } | undefined)?.server_keys;
      if (!Array.isArray(list)) throw new KeyResponseError(`notary ${notary.serverName} sent no server_keys array`);
      const verified: VerifiedKeyResponse[] = [];
      for (const item of list) {
        // A notary may add responses we did not ask for; only the one we asked about counts.
        if ((item as { server_name?: unknown } | null)?.server_name !== serverName) continue;
        verified.push(verifyKeyResponse(item, serverName, notary));
      }
      return verified;
    },
  };
}
