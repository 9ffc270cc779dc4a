/**
 * Acting as a notary (server-server API, "Querying Keys Through Another Server"): answer from
 * the stored response when it is fresh enough, else ask the server itself; when it cannot be
 * reached, keep returning the last response we had so old signatures stay checkable. Each
 * response goes out with the origin's signatures and ours.
 */
import { signJson } from "@dendrite-ts/protocol";
import type { NotaryQuery, ServerKeysResponse } from "../api";
import type { ServerKeyStore, StoredKeyResponse } from "../storage/index";
import type { KeyCache } from "./key-cache";
import { ownKeysResponse, type OwnKeys } from "./own-keys";

export interface NotaryDeps {
  store: ServerKeyStore;
  cache: KeyCache;
  own: OwnKeys;
  now: () => number;
}

/** Servers answered per query: each may cost a fetch. */
export const MAX_NOTARY_SERVERS = 100;

/** Spec: a notary should cache a response for half of its lifetime. */
function isFresh(r: StoredKeyResponse, minValid: number, now: number): boolean {
  const halfLife = r.fetchedTs + (r.validUntilTs - r.fetchedTs) / 2;
  return r.validUntilTs >= minValid && now <= halfLife;
}

export async function answerNotaryQuery(deps: NotaryDeps, query: NotaryQuery): Promise<ServerKeysResponse[]> {
  const now = deps.now();
  const servers = query.servers.slice(0, MAX_NOTARY_SERVERS);
  const answers = await Promise.all(
    servers.map(async ({ server_name: serverName, minimum_valid_until_ts }): Promise<ServerKeysResponse | undefined> => {
      if (serverName === deps.own.serverName) return ownKeysResponse(deps.own, now);
      // Without a minimum, the spec says to use the current time.
      const minValid = minimum_valid_until_ts ?? now;
      let [stored] = await deps.store.getResponses([serverName]);
      if (stored === undefined || !isFresh(stored, minValid, now)) {
        await deps.cache.refreshDirect(serverName, minValid);
        [stored] = await deps.store.getResponses([serverName]);
      }
      if (stored === undefined) return undefined;
      return signJson(JSON.parse(stored.response) as ServerKeysResponse, deps.own.serverName, deps.own.signingKey);
    }),
  );
  return answers.filter((a): a is ServerKeysResponse => a !== undefined);
}
