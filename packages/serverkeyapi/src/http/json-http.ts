/**
 * The small HTTP client key fetching needs: GET or POST JSON with a timeout, a size cap and
 * optional redirects. Built on node:http/https so a test federation's CA (`tls_ca_file`) can be
 * passed per request without a second HTTP stack; certificates are verified unless that CA says
 * otherwise. A WHATWG `fetch` can be injected instead (tests, custom transports); it then owns
 * TLS, so `ca`, `skipTlsVerify`, `tlsServerName` and the Host override do not apply.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";

export interface JsonRequest {
  method?: "GET" | "POST";
  /** Overrides the Host header (the server name, per "Resolving server names"). */
  host?: string;
  body?: unknown;
  /** Check the certificate against this name instead of the URL's host (SRV targets). */
  tlsServerName?: string;
  /** Follow up to this many 30x redirects (default 0). */
  maxRedirects?: number;
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
}

export class HttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpError";
  }
}

export function createJsonHttp(opts: JsonHttpOptions = {}): JsonHttp {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const once = opts.fetch ? viaFetch(opts.fetch, timeoutMs, maxBytes) : viaNode({ ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.skipTlsVerify ? { rejectUnauthorized: false } : {}) }, timeoutMs, maxBytes);
  return async (url, req = {}) => {
    let current = url;
    for (let hops = 0; ; hops++) {
      const res = await once(current, req);
      const location = res.headers["location"];
      if (res.status < 300 || res.status >= 400 || location === undefined || hops >= (req.maxRedirects ?? 0)) {
        return res;
      }
      current = new URL(location, current).toString();
      req = { ...req, host: undefined, tlsServerName: undefined }; // a redirect names its own host
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

function viaNode(tls: { ca?: string | Buffer; rejectUnauthorized?: boolean }, timeoutMs: number, maxBytes: number) {
  return (url: string, req: JsonRequest) =>
    new Promise<JsonResponse>((resolve, reject) => {
      const u = new URL(url);
      const { headers, data } = payload(req);
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
      const r = send(u, { method: req.method ?? "GET", headers, ...(u.protocol === "https:" ? { ...tls, servername } : {}) }, (res: IncomingMessage) => {
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

function viaFetch(fetchFn: typeof globalThis.fetch, timeoutMs: number, maxBytes: number) {
  return async (url: string, req: JsonRequest): Promise<JsonResponse> => {
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
