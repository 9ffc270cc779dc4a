/**
 * Where to reach a server's federation API (server-server API, "Resolving server names").
 *
 * Order: a configured override (`federation.server_name_map`, name → base URL: test
 * federations on loopback, private deployments), then the spec's steps — IP literal, explicit
 * port, `/.well-known/matrix/server` delegation, SRV (`_matrix-fed._tcp`, then the deprecated
 * `_matrix._tcp`), port 8448. After SRV we connect to the record's target but keep the Host
 * header and the certificate check on the name we looked up, as the spec says.
 *
 * Discovery itself connects nowhere but `/.well-known` (through the same guarded client as
 * everything else); which addresses may be connected to is decided at connection time
 * (http/json-http.ts, `federation.deny_networks`), on whatever a name finally resolves to.
 */
import { promises as dns, type SrvRecord } from "node:dns";
import { isIP } from "node:net";
import { isValidServerName, parseServerName, splitServerName } from "@dendrite-ts/protocol";
import type { JsonHttp } from "./http/json-http";

export interface ServerTarget {
  /** `https://host:port` (or the configured base URL), no trailing slash. */
  baseUrl: string;
  /** The Host header to send. */
  host: string;
  /** The name the certificate must be valid for, when not the base URL's host (SRV). */
  tlsServerName?: string;
  /**
   * The base URL came from the admin's `federation.server_name_map`, not from the network:
   * `federation.deny_networks` does not apply to it (how loopback test federations work).
   */
  configured?: true;
}

export interface DiscoveryOptions {
  serverNameMap: Readonly<Record<string, string>>;
  http: JsonHttp;
  now: () => number;
  /** DNS SRV lookup (tests inject one); node:dns by default. */
  resolveSrv?: (name: string) => Promise<SrvRecord[]>;
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

/** Lowest priority first; among equals, the heaviest (a simplification of RFC 2782's weighted pick). */
function pickSrv(records: readonly SrvRecord[]): SrvRecord | undefined {
  const usable = records.filter((r) => r.name !== "" && r.name !== ".");
  return usable.sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
}

export function createDiscovery(opts: DiscoveryOptions): Discovery {
  const wellKnown = new Map<string, { delegated: string | undefined; expires: number }>();
  const resolveSrv = opts.resolveSrv ?? ((name: string) => dns.resolveSrv(name));

  /** `hostname` without a port: SRV first, then port 8448; Host and certificate stay `hostname`. */
  async function viaSrv(hostname: string): Promise<ServerTarget> {
    for (const service of ["_matrix-fed._tcp", "_matrix._tcp"]) {
      let records: SrvRecord[] = [];
      try {
        records = await resolveSrv(`${service}.${hostname}`);
      } catch {
        // NXDOMAIN, no records, DNS down: try the next step
      }
      const r = pickSrv(records);
      if (r !== undefined) {
        const target = r.name.replace(/\.$/, "");
        const tls = target === hostname ? {} : { tlsServerName: hostname };
        return { baseUrl: `https://${isIP(target) === 6 ? `[${target}]` : target}:${r.port}`, host: hostname, ...tls };
      }
    }
    return { baseUrl: `https://${withPort(hostname, undefined)}`, host: hostname };
  }

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
      if (mapped !== undefined) return { baseUrl: mapped.replace(/\/+$/, ""), host: serverName, configured: true };

      const { host, port } = splitServerName(parseServerName(serverName));
      if (isIpLiteral(host) || port !== undefined) {
        return { baseUrl: `https://${withPort(host, port)}`, host: serverName };
      }
      const delegated = await lookupWellKnown(host);
      if (delegated !== undefined) {
        const d = splitServerName(parseServerName(delegated));
        // Host is the delegated name (with its port when one was given), never the original.
        if (isIpLiteral(d.host) || d.port !== undefined) return { baseUrl: `https://${withPort(d.host, d.port)}`, host: delegated };
        return viaSrv(d.host);
      }
      return viaSrv(host);
    },
  };
}
