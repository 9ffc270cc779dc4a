/**
 * `createServerKeyApi(deps)`: the serverkeyapi's implementation of its contract. Every
 * dependency is given here; the schema's migrations run before it returns.
 */
import { readFileSync } from "node:fs";
import { decodeBase64, isValidBase64, type SigningKey } from "@dendrite-ts/protocol";
import { applyMigrations, type ContractImpl, type Database, type Logger } from "@dendrite-ts/runtime";
import type { ServerKeyContract } from "./api";
import { createDiscovery } from "./discovery";
import { createJsonHttp, type ResolveHost } from "./http/json-http";
import { createNetworkPolicy, DEFAULT_DENY_NETWORKS } from "./http/networks";
import { createKeyCache } from "./internal/key-cache";
import { answerNotaryQuery } from "./internal/notary";
import { ownKeysResponse, type OldVerifyKey, type OwnKeys } from "./internal/own-keys";
import { createRemoteKeyFetcher, type TrustedNotary } from "./internal/remote-fetch";
import { verifyEvents } from "./internal/verify-events";
import { verifySignedJson } from "./internal/verify-json";
import { verifyRequest } from "./internal/verify-request";
import { createServerKeyStore } from "./storage/index";
import { SERVERKEYAPI_SCHEMA, serverKeyMigrations } from "./storage/migrations";

/** The server-side implementation of `serverKeyContract`. */
export type ServerKeyApi = ContractImpl<ServerKeyContract>;

/** The part of `DendriteConfig["global"]` this component reads (pass `config.global`). */
export interface ServerKeyApiConfig {
  server_name: string;
  /** ms; how far ahead our `valid_until_ts` lies. */
  key_validity_period: number;
  /** Notaries to ask when a server cannot be reached: name and key ID → unpadded base64 public key. */
  trusted_key_servers: readonly { server_name: string; keys: Readonly<Record<string, string>> }[];
  federation: {
    /** server name → base URL, skipping discovery. */
    server_name_map: Readonly<Record<string, string>>;
    /** Extra CA certificates (PEM file) to trust for federation TLS. */
    tls_ca_file?: string | undefined;
    skip_tls_verify?: boolean;
    /**
     * CIDRs outbound requests may not connect to (default: DEFAULT_DENY_NETWORKS — private,
     * loopback, link-local, CGNAT, multicast, unique-local and other reserved ranges). Applies to
     * .well-known, SRV targets, direct key fetches and notaries alike, checked on every address
     * a name resolves to; `server_name_map` targets are exempt (the admin wrote them).
     */
    deny_networks?: readonly string[] | undefined;
    /** Exceptions to deny_networks (default none). */
    allow_networks?: readonly string[] | undefined;
  };
}

export interface ServerKeyApiDeps {
  db: Pick<Database, "sql" | "drizzle">;
  config: ServerKeyApiConfig;
  /** The key we sign with now. */
  signingKey: SigningKey;
  /** Keys we used to sign with (config `old_private_keys`). */
  oldKeys: readonly OldVerifyKey[];
  logger: Logger;
  /** Replaces the built-in node:http(s) client for outbound key requests. */
  fetch?: typeof globalThis.fetch;
  /** Clock, ms (tests). */
  now?: () => number;
  /** Do not ask a server for keys again sooner than this after the last attempt (default 30 s). */
  minRefetchIntervalMs?: number;
  /** Outbound request timeout (default 15 s). */
  fetchTimeoutMs?: number;
  /** DNS for outbound connections, every address of a name (tests); node:dns by default. */
  resolveHost?: ResolveHost;
}

function trustedNotaries(config: ServerKeyApiConfig, logger: Logger): TrustedNotary[] {
  return config.trusted_key_servers.flatMap((t) => {
    const keys = new Map<string, Uint8Array>();
    for (const [keyId, b64] of Object.entries(t.keys)) {
      const bytes = isValidBase64(b64) ? decodeBase64(b64) : undefined;
      if (bytes?.byteLength === 32 && keyId.startsWith("ed25519:")) keys.set(keyId, bytes);
      else logger.warn({ notary: t.server_name, keyId }, "ignoring trusted key server key: not a 32-byte ed25519 key");
    }
    // Without a key we could not tell the notary's answers from anyone's: do not use it.
    if (keys.size === 0) {
      logger.warn({ notary: t.server_name }, "trusted key server has no usable keys configured; not using it");
      return [];
    }
    return [{ serverName: t.server_name, keys }];
  });
}

export async function createServerKeyApi(deps: ServerKeyApiDeps): Promise<ServerKeyApi> {
  await applyMigrations(deps.db, SERVERKEYAPI_SCHEMA, serverKeyMigrations);
  const { config } = deps;
  const logger = deps.logger.child({ component: "serverkeyapi" });
  const now = deps.now ?? Date.now;
  const ca = config.federation.tls_ca_file !== undefined ? readFileSync(config.federation.tls_ca_file) : undefined;
  const networks = createNetworkPolicy({
    deny: config.federation.deny_networks ?? DEFAULT_DENY_NETWORKS,
    allow: config.federation.allow_networks ?? [],
  });
  const http = createJsonHttp({
    ...(ca !== undefined ? { ca } : {}),
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
    ...(deps.resolveHost !== undefined ? { resolveHost: deps.resolveHost } : {}),
    networks,
    onDenied: (e) =>
      logger.warn({ host: e.hostname, address: e.address, rule: e.rule }, `outbound request refused: ${e.message}`),
    skipTlsVerify: config.federation.skip_tls_verify === true,
    timeoutMs: deps.fetchTimeoutMs ?? 15_000,
  });
  const own: OwnKeys = {
    serverName: config.server_name,
    signingKey: deps.signingKey,
    oldKeys: deps.oldKeys,
    keyValidityPeriodMs: config.key_validity_period,
  };
  const store = createServerKeyStore(deps.db.drizzle);
  const discovery = createDiscovery({ serverNameMap: config.federation.server_name_map, http, now });
  const cache = createKeyCache({
    store,
    fetcher: createRemoteKeyFetcher({ discovery, http }),
    notaries: trustedNotaries(config, logger),
    own,
    now,
    logger,
    minRefetchIntervalMs: deps.minRefetchIntervalMs ?? 30_000,
  });

  return {
    async queryPublicKeys({ body }) {
      const keys = await cache.getKeys(
        body.requests.map((r) => ({ serverName: r.server_name, keyId: r.key_id, minimumValidUntilTs: r.minimum_valid_until_ts })),
      );
      return {
        status: 200,
        body: {
          keys: keys.map((k) => ({
            server_name: k.serverName,
            key_id: k.keyId,
            key: k.publicKey,
            valid_until_ts: k.validUntilTs,
            expired_ts: k.expiredTs,
          })),
        },
      };
    },

    async verifyJson({ body }) {
      return { status: 200, body: { results: await verifySignedJson(cache, now(), body.requests) } };
    },

    async verifyEvents({ body }) {
      return { status: 200, body: { results: await verifyEvents(cache, body.room_version, body.events) } };
    },

    async verifyRequest({ body }) {
      return { status: 200, body: await verifyRequest(cache, now(), body) };
    },

    async ownKeys() {
      return { status: 200, body: ownKeysResponse(own, now()) };
    },

    async notaryQuery({ body }) {
      return { status: 200, body: { server_keys: await answerNotaryQuery({ store, cache, own, now }, body) } };
    },
  };
}
