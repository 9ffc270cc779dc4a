/**
 * Where to reach a server's federation API (server-server API, "Resolving server names").
 *
 * Order: a configured override (`federation.server_name_map`, name → base URL: test
 * federations on loopback, private deployments), then the spec's steps — IP literal, explicit
 * port, `/.well-known/matrix/server` delegation, port 8448. SRV lookups (`_matrix-fed._tcp`,
 * `_matrix._tcp`) are not done: a server that relies on SRV alone is reached on 8448.
 */
import { isIP } from "node:net";
import { isValidServerName, parseServerName, splitServerName } from "@dendrite-ts/protocol";
import type { JsonHttp } from "./http/json-http";

export interface ServerTarget {
  /** `https://host:port` (or the configured base URL), no trailing slash. */
  baseUrl: string;
  /** The Host header to send. */
  host: string;
}

export interface DiscoveryOptions {
  serverNameMap: Readonly<Record<string, string>>;
  http: JsonHttp;
  now: () => number;
}

export interface Discovery {
  resolve(serverName: string): Promise<ServerTarget>;
}

const DEFAULT_PORT = 8448;
// Spec: cache /.well-known for its Cache-Control lifetime, 24 h by default, 48 h at most;
// errors for up to an hour.
const WELL_KNOWN_DEFAULT_MS = 24 * 3600_000;
const WELL_KNOWN_MAX_MS = 48 * 3600_000;
const WELL_KNOWN_ERROR_MS = 3600_000;
const WELL_KNOWN_CACHE_LIMIT = 10_000;

function isIpLiteral(host: string): boolean {
  return host.startsWith("[") || isIP(host) === 4;
}

function withPort(host: string, port: number | undefined): string {
  return `${host}:${port ?? DEFAULT_PORT}`;
}

function cacheLifetime(cacheControl: string | undefined): number {
  const m = /max-age=(\d+)/i.exec(cacheControl ?? "");
  if (m === null || /no-store|no-cache/i.test(cacheControl ?? "")) return WELL_KNOWN_DEFAULT_MS;
  return Math.min(Number(m[1]) * 1000, WELL_KNOWN_MAX_MS);
}

export function createDiscovery(opts: DiscoveryOptions): Discovery {
  const wellKnown = new Map<string, { delegated: string | undefined; expires: number }>();

  async function lookupWellKnown(host: string): Promise<string | undefined> {
    const cached = wellKnown.get(host);
    if (cached !== undefined && cached.expires > opts.now()) return cached.delegated;
    let delegated: string | undefined;
    let lifetime = WELL_KNOWN_ERROR_MS;
    try {
      const res = await opts.http(`https://${host}/.well-known/matrix/server`, { maxRedirects: 5 });
      const server = (res.body as { "m.server"?: unknown } | undefined)?.["m.server"];
      if (res.status === 200 && typeof server === "string" && isValidServerName(server)) {
        delegated = server;
        lifetime = cacheLifetime(res.headers["cache-control"]);
      }
    } catch {
      // unreachable or not JSON: fall through to port 8448, as the spec says
    }
    if (wellKnown.size >= WELL_KNOWN_CACHE_LIMIT) wellKnown.clear();
    wellKnown.set(host, { delegated, expires: opts.now() + lifetime });
    return delegated;
  }

  return {
    async resolve(serverName) {
      const mapped = opts.serverNameMap[serverName];
      if (mapped !== undefined) return { baseUrl: mapped.replace(/\/+$/, ""), host: serverName };

      const { host, port } = splitServerName(parseServerName(serverName));
      if (isIpLiteral(host) || port !== undefined) {
        return { baseUrl: `https://${withPort(host, port)}`, host: serverName };
      }
      const delegated = await lookupWellKnown(host);
      if (delegated !== undefined) {
        const d = splitServerName(parseServerName(delegated));
        // Host is the delegated name (with its port when one was given), never the original.
        return { baseUrl: `https://${withPort(d.host, d.port)}`, host: delegated };
      }
      return { baseUrl: `https://${withPort(host, undefined)}`, host };
    },
  };
}
