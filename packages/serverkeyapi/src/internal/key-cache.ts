/**
 * The key ring's memory: remote public keys by (server, key ID), from an in-process map in
 * front of the database, fetched from the network when missing or not valid long enough.
 *
 * A fetch for one server is shared by everyone asking at the same time, and a server is not
 * asked again within `minRefetchIntervalMs` of the last attempt (spec: "Requesting servers
 * should limit how frequently they query").
 */
import { encodeBase64, isValidServerName } from "@dendrite-ts/protocol";
import type { Logger } from "@dendrite-ts/runtime";
import type { ServerKeyStore, StoredServerKey } from "../storage/index";
import { MAX_KEY_VALIDITY_MS, type VerifiedKeyResponse } from "./key-response";
import type { OwnKeys } from "./own-keys";
import type { RemoteKeyFetcher, TrustedNotary } from "./remote-fetch";

export interface KeyRequest {
  serverName: string;
  keyId: string;
  /** The key must be usable until at least this instant, ms. */
  minimumValidUntilTs: number;
}

export interface KnownKey {
  serverName: string;
  keyId: string;
  /** Unpadded base64. */
  publicKey: string;
  /** Already capped at 7 days from when we fetched it. */
  validUntilTs: number;
  /** Set for old keys: not usable for anything signed at or after this instant. */
  expiredTs: number | null;
}

export interface KeyCacheDeps {
  store: ServerKeyStore;
  fetcher: RemoteKeyFetcher;
  notaries: readonly TrustedNotary[];
  own: OwnKeys;
  now: () => number;
  logger: Logger;
  minRefetchIntervalMs: number;
}

export interface KeyCache {
  /** One entry per request we know a key for (after trying to fetch what was missing or stale). */
  getKeys(requests: readonly KeyRequest[]): Promise<KnownKey[]>;
  /**
   * Make sure the stored response for `serverName` is valid until `minValidUntilTs`, asking the
   * server itself only (the notary role never relays other notaries).
   */
  refreshDirect(serverName: string, minValidUntilTs: number): Promise<void>;
}

const MEMORY_LIMIT = 10_000;
const id = (serverName: string, keyId: string) => `${serverName}\u0000${keyId}`;

/** How long a key can be relied on: old keys until they expired, current ones until valid_until_ts. */
export function usableUntil(k: Pick<KnownKey, "validUntilTs" | "expiredTs">): number {
  return k.expiredTs ?? k.validUntilTs;
}

export function createKeyCache(deps: KeyCacheDeps): KeyCache {
  const memory = new Map<string, KnownKey>();
  const lastAttempt = new Map<string, number>();
  const inflight = new Map<string, Promise<void>>();
  const log = deps.logger;

  function remember(k: KnownKey): void {
    if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value as string);
    memory.set(id(k.serverName, k.keyId), k);
  }

  function ownKeys(r: KeyRequest): KnownKey | undefined {
    const { own } = deps;
    if (r.keyId === own.signingKey.keyId) {
      const publicKey = encodeBase64(own.signingKey.publicKey);
      return { serverName: r.serverName, keyId: r.keyId, publicKey, validUntilTs: deps.now() + own.keyValidityPeriodMs, expiredTs: null };
    }
    const old = own.oldKeys.find((k) => k.keyId === r.keyId);
    if (old === undefined) return undefined;
    return { serverName: r.serverName, keyId: r.keyId, publicKey: encodeBase64(old.publicKey), validUntilTs: old.expiredTs, expiredTs: old.expiredTs };
  }

  async function lookup(requests: readonly KeyRequest[]): Promise<Map<string, KnownKey>> {
    const found = new Map<string, KnownKey>();
    const misses = new Map<string, KeyRequest>(); // one DB lookup per (server, key), however often asked
    for (const r of requests) {
      const k = memory.get(id(r.serverName, r.keyId));
      if (k !== undefined && usableUntil(k) >= r.minimumValidUntilTs) found.set(id(r.serverName, r.keyId), k);
      else misses.set(id(r.serverName, r.keyId), r);
    }
    for (const row of await deps.store.getKeys([...misses.values()])) {
      const k = fromRow(row);
      remember(k);
      found.set(id(k.serverName, k.keyId), k);
    }
    return found;
  }

  async function save(res: VerifiedKeyResponse, fetchedFrom: string): Promise<void> {
    const fetchedTs = deps.now();
    const cap = Math.min(res.validUntilTs, fetchedTs + MAX_KEY_VALIDITY_MS);
    const rows: StoredServerKey[] = res.keys.map((k) => ({
      serverName: res.serverName,
      keyId: k.keyId,
      publicKey: k.publicKey,
      validUntilTs: k.expiredTs ?? cap,
      expiredTs: k.expiredTs,
      fetchedFrom,
      fetchedTs,
    }));
    const response = { serverName: res.serverName, response: JSON.stringify(res.json), validUntilTs: res.validUntilTs, fetchedFrom, fetchedTs };
    await deps.store.storeResponse(response, rows);
    for (const row of rows) memory.delete(id(row.serverName, row.keyId)); // the DB decides which row won
  }

  const satisfies = (res: VerifiedKeyResponse, keyIds: ReadonlySet<string>, minValid: number) =>
    [...keyIds].every((keyId) => {
      const k = res.keys.find((x) => x.keyId === keyId);
      return k !== undefined && (k.expiredTs ?? Math.min(res.validUntilTs, deps.now() + MAX_KEY_VALIDITY_MS)) >= minValid;
    });

  async function fetchFor(serverName: string, keyIds: ReadonlySet<string>, minValid: number, directOnly: boolean): Promise<void> {
    // A fetch that finished between the caller's look-up and now may have brought what is wanted.
    if (keyIds.size > 0) {
      const found = await lookup([...keyIds].map((keyId) => ({ serverName, keyId, minimumValidUntilTs: minValid })));
      if ([...keyIds].every((k) => { const f = found.get(id(serverName, k)); return f !== undefined && usableUntil(f) >= minValid; })) return;
    }
    try {
      const res = await deps.fetcher.direct(serverName);
      await save(res, serverName);
      if (satisfies(res, keyIds, minValid)) return;
    } catch (e) {
      log.info({ server: serverName, err: (e as Error).message }, "direct key fetch failed");
    }
    if (directOnly) return;
    for (const notary of deps.notaries) {
      if (notary.serverName === serverName) continue;
      try {
        const responses = await deps.fetcher.viaNotary(notary, serverName, [...keyIds], minValid);
        for (const res of responses) await save(res, notary.serverName);
        if (responses.some((res) => satisfies(res, keyIds, minValid))) return;
      } catch (e) {
        log.info({ server: serverName, notary: notary.serverName, err: (e as Error).message }, "key fetch via notary failed");
      }
    }
  }

  /** Coalesced and rate-limited fetch of one server's keys. */
  function refresh(serverName: string, keyIds: ReadonlySet<string>, minValid: number, directOnly: boolean): Promise<void> {
    const running = inflight.get(serverName);
    if (running !== undefined) return running;
    const last = lastAttempt.get(serverName);
    if (last !== undefined && deps.now() - last < deps.minRefetchIntervalMs) return Promise.resolve();
    if (lastAttempt.size >= MEMORY_LIMIT) lastAttempt.clear(); // bounded; forgetting only allows one early retry
    lastAttempt.set(serverName, deps.now());
    const p = fetchFor(serverName, keyIds, minValid, directOnly).finally(() => inflight.delete(serverName));
    inflight.set(serverName, p);
    return p;
  }

  return {
    async getKeys(requests) {
      const result = new Map<string, KnownKey>();
      const remote: KeyRequest[] = [];
      for (const r of requests) {
        const own = r.serverName === deps.own.serverName ? ownKeys(r) : undefined;
        if (own !== undefined) result.set(id(r.serverName, r.keyId), own);
        else if (r.serverName !== deps.own.serverName && isValidServerName(r.serverName)) remote.push(r);
      }
      const found = await lookup(remote);
      // Per server: the key IDs still missing or not valid long enough, and the latest minimum.
      const wanted = new Map<string, { keyIds: Set<string>; minValid: number }>();
      for (const r of remote) {
        const k = found.get(id(r.serverName, r.keyId));
        if (k !== undefined && usableUntil(k) >= r.minimumValidUntilTs) continue;
        const w = wanted.get(r.serverName) ?? { keyIds: new Set<string>(), minValid: 0 };
        w.keyIds.add(r.keyId);
        w.minValid = Math.max(w.minValid, r.minimumValidUntilTs);
        wanted.set(r.serverName, w);
      }
      if (wanted.size > 0) {
        await Promise.all([...wanted].map(([server, w]) => refresh(server, w.keyIds, w.minValid, false)));
        const again = await lookup(remote.filter((r) => wanted.get(r.serverName)?.keyIds.has(r.keyId)));
        for (const [k, v] of again) found.set(k, v);
      }
      for (const [k, v] of found) result.set(k, v);
      return [...result.values()];
    },

    async refreshDirect(serverName, minValidUntilTs) {
      await refresh(serverName, new Set(), minValidUntilTs, true);
    },
  };
}

function fromRow(row: StoredServerKey): KnownKey {
  return { serverName: row.serverName, keyId: row.keyId, publicKey: row.publicKey, validUntilTs: row.validUntilTs, expiredTs: row.expiredTs };
}
