/**
 * The small HTTP client key fetching needs: GET or POST JSON with a timeout, a size cap and
 * optional redirects. Built on node:http/https so a test federation's CA (`tls_ca_file`) can be
 * passed per request without a second HTTP stack; certificates are verified unless that CA says
 * otherwise. A WHATWG `fetch` can be injected instead (tests, custom transports); it then owns
 * TLS, so `ca`, `skipTlsVerify`, `tlsServerName` and the Host override do not apply.
 *
 * With a `networks` policy (config `federation.deny_networks` / `allow_networks`), every request
 * is checked where it connects: an IP literal before any connection is made; a hostname in the
 * socket's DNS lookup hook, where every address it resolves to must be allowed and the socket
 * then connects only to those checked addresses (so a DNS answer that changes between a check
 * and the connection — rebinding — cannot slip past). Each redirect hop is checked the same way.
 * Sockets for checked requests are pooled apart from unchecked ones (`unrestricted`). An injected
 * `fetch` does its own DNS: there the names are resolved and checked just before the call, which
 * cannot rule out rebinding — the guarantee holds for the built-in client only.
 */
import { promises as dns, type LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { NetworkPolicy } from "./networks";

export interface JsonRequest {
  method?: "GET" | "POST";
  /** Overrides the Host header (the server name, per "Resolving server names"). */
  host?: string;
  body?: unknown;
  /** Check the certificate against this name instead of the URL's host (SRV targets). */
  tlsServerName?: string;
  /** Follow up to this many 30x redirects (default 0). */
  maxRedirects?: number;
  /**
   * The destination was written by the admin (`federation.server_name_map`): the `networks`
   * policy does not apply. Never carried over to a redirect.
   */
  unrestricted?: boolean;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body; undefined when the body was not JSON. */
  body: unknown;
}

export type JsonHttp = (url: string, req?: JsonRequest) => Promise<JsonResponse>;

export interface JsonHttpOptions {
  /** Extra trusted CA certificates (PEM), e.g. a test federation's. */
  ca?: string | Buffer;
  /** Accept any certificate (test federations only; config `skip_tls_verify`). */
  skipTlsVerify?: boolean;
  /** Per request, connect to last byte (default 15 s). */
  timeoutMs?: number;
  /** Largest body accepted (default 1 MiB): key responses are small. */
  maxBytes?: number;
  /** Use this fetch instead of node:http(s). */
  fetch?: typeof globalThis.fetch;
  /** Refuse to connect to denied addresses (see the top of this file); none refused without it. */
  networks?: NetworkPolicy;
  /** Called once for every refused destination, before the request fails (logging). */
  onDenied?: (err: DeniedDestinationError) => void;
  /** Every address a hostname resolves to (tests); node:dns `lookup` with `all: true` by default. */
  resolveHost?: ResolveHost;
}

export type ResolveHost = (hostname: string, options: { family?: number; hints?: number }) => Promise<LookupAddress[]>;

export class HttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpError";
  }
}

/** The destination is in `federation.deny_networks` (and not in `allow_networks`): nothing was sent. */
export class DeniedDestinationError extends HttpError {
  readonly code = "EDENIEDNETWORK";
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly rule: string,
  ) {
    super(
      `refused to connect to ${hostname === address ? address : `${hostname} (${address})`}: ` +
        `the address is in federation.deny_networks (${rule}). Fix: if this server must be reachable, ` +
        `add its network to federation.allow_networks or map its name in federation.server_name_map`,
    );
    this.name = "DeniedDestinationError";
  }
}

const defaultResolveHost: ResolveHost = (hostname, options) =>
  dns.lookup(hostname, { ...(options.family ? { family: options.family } : {}), ...(options.hints ? { hints: options.hints } : {}), all: true });

/** The guard around connections: checks IP literals up front and every resolved address at connect time. */
interface Guard {
  /** Throws DeniedDestinationError when `hostname` is a denied IP literal. */
  checkLiteral(hostname: string): void;
  /** Resolves and checks every address (injected fetch only: it does its own DNS afterwards). */
  checkResolved(hostname: string): Promise<void>;
  /** A socket lookup hook that fails with DeniedDestinationError unless every address is allowed. */
  lookup: LookupFunction;
}

function createGuard(policy: NetworkPolicy, resolveHost: ResolveHost, onDenied: ((e: DeniedDestinationError) => void) | undefined): Guard {
  const deny = (hostname: string, address: string, rule: string) => {
    const err = new DeniedDestinationError(hostname, address, rule);
    onDenied?.(err);
    return err;
  };
  /** The first denied address, as an error; undefined when all are allowed. */
  const judge = (hostname: string, addresses: readonly LookupAddress[]): DeniedDestinationError | undefined => {
    for (const a of addresses) {
      const v = policy.check(a.address);
      if (!v.allowed) return deny(hostname, a.address, v.rule);
    }
    return undefined;
  };
  const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, "");
  return {
    checkLiteral(hostname) {
      const h = bare(hostname);
      if (isIP(h) === 0) return;
      const v = policy.check(h);
      if (!v.allowed) throw deny(h, h, v.rule);
    },
    async checkResolved(hostname) {
      const h = bare(hostname);
      if (isIP(h) !== 0) return this.checkLiteral(h);
      const err = judge(h, await resolveHost(h, {}));
      if (err !== undefined) throw err;
    },
    lookup: ((hostname: string, options: { family?: number; hints?: number; all?: boolean }, callback: (...args: unknown[]) => void) => {
      resolveHost(hostname, options).then(
        (addresses) => {
          // Like Synapse: one denied address refuses the name; we never pick the "good" ones.
          const err = addresses.length === 0 ? Object.assign(new Error(`no addresses for ${hostname}`), { code: "ENOTFOUND" }) : judge(hostname, addresses);
          if (err !== undefined) callback(err);
          else if (options.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (err: unknown) => callback(err),
      );
    }) as LookupFunction,
  };
}

export function createJsonHttp(opts: JsonHttpOptions = {}): JsonHttp {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const resolveHost = opts.resolveHost ?? defaultResolveHost;
  const guard = opts.networks !== undefined ? createGuard(opts.networks, resolveHost, opts.onDenied) : undefined;
  const once = opts.fetch
    ? viaFetch(opts.fetch, timeoutMs, maxBytes, guard)
    : viaNode({ ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.skipTlsVerify ? { rejectUnauthorized: false } : {}) }, timeoutMs, maxBytes, guard, resolveHost, opts.resolveHost !== undefined);
  return async (url, req = {}) => {
    let current = url;
    for (let hops = 0; ; hops++) {
      // An IP literal is refused before any connection is attempted.
      if (guard !== undefined && req.unrestricted !== true) guard.checkLiteral(new URL(current).hostname);
      const res = await once(current, req);
      const location = res.headers["location"];
      if (res.status < 300 || res.status >= 400 || location === undefined || hops >= (req.maxRedirects ?? 0)) {
        return res;
      }
      current = new URL(location, current).toString();
      req = { ...req, host: undefined, tlsServerName: undefined, unrestricted: false }; // a redirect names its own host
    }
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function payload(req: JsonRequest): { headers: Record<string, string>; data?: string } {
  const headers: Record<string, string> = { accept: "application/json" };
  if (req.host !== undefined) headers["host"] = req.host;
  if (req.body === undefined) return { headers };
  const data = JSON.stringify(req.body);
  headers["content-type"] = "application/json";
  headers["content-length"] = String(Buffer.byteLength(data)); // not chunked: some servers refuse that
  return { headers, data };
}

function viaNode(
  tls: { ca?: string | Buffer; rejectUnauthorized?: boolean },
  timeoutMs: number,
  maxBytes: number,
  guard: Guard | undefined,
  resolveHost: ResolveHost,
  customResolver: boolean,
) {
  // Our own pools: a socket opened for an unchecked (admin-mapped) request must never be reused
  // by a checked one, and a pooled socket has already passed the lookup hook.
  const agents = {
    checked: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
    unchecked: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
  };
  const plainLookup: LookupFunction | undefined = customResolver ? createGuard({ check: () => ({ allowed: true }) }, resolveHost, undefined).lookup : undefined;
  return (url: string, req: JsonRequest) =>
    new Promise<JsonResponse>((resolve, reject) => {
      const u = new URL(url);
      const { headers, data } = payload(req);
      const checked = guard !== undefined && req.unrestricted !== true;
      const pool = checked ? agents.checked : agents.unchecked;
      const lookup = checked ? guard.lookup : plainLookup;
      const conn = { agent: u.protocol === "https:" ? pool.https : pool.http, ...(lookup !== undefined ? { lookup } : {}) };
      const send = u.protocol === "https:" ? httpsRequest : u.protocol === "http:" ? httpRequest : undefined;
      if (send === undefined) return reject(new HttpError(`unsupported URL scheme in ${url}`));
      // The certificate must match the host we connect to, not the Host header we send (node
      // would take SNI from the header); an IP literal gets no SNI, as the spec says.
      const hostname = u.hostname.replace(/^\[|\]$/g, "");
      const servername = req.tlsServerName ?? (isIP(hostname) ? "" : hostname);
      let settled = false;
      const finish = (err: Error | undefined, value?: JsonResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          r.destroy();
          reject(err);
        } else resolve(value!);
      };
      const r = send(u, { method: req.method ?? "GET", headers, ...conn, ...(u.protocol === "https:" ? { ...tls, servername } : {}) }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) finish(new HttpError(`response from ${url} larger than ${maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on("end", () => {
          const out: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(", ") : v;
          finish(undefined, { status: res.statusCode ?? 0, headers: out, body: parseJson(Buffer.concat(chunks).toString("utf8")) });
        });
        res.on("error", (e) => finish(e));
      });
      const timer = setTimeout(() => finish(new HttpError(`timed out after ${timeoutMs} ms: ${url}`)), timeoutMs);
      r.on("error", (e) => finish(e));
      r.end(data);
    });
}

function viaFetch(fetchFn: typeof globalThis.fetch, timeoutMs: number, maxBytes: number, guard: Guard | undefined) {
  return async (url: string, req: JsonRequest): Promise<JsonResponse> => {
    if (guard !== undefined && req.unrestricted !== true) await guard.checkResolved(new URL(url).hostname);
    const { headers, data } = payload(req);
    delete headers["host"]; // fetch sets Host (and Content-Length) itself
    delete headers["content-length"];
    const res = await fetchFn(url, {
      method: req.method ?? "GET",
      headers,
      ...(data !== undefined ? { body: data } : {}),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (Buffer.byteLength(text) > maxBytes) throw new HttpError(`response from ${url} larger than ${maxBytes} bytes`);
    const out: Record<string, string | undefined> = {};
    res.headers.forEach((v, k) => (out[k] = v));
    return { status: res.status, headers: out, body: parseJson(text) };
  };
}
