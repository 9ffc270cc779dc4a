/**
 * Fetches what a user asked us to preview: a URL anyone can write, so every connection is checked
 * against the network policy (config mediaapi.url_previews.deny_networks / allow_networks). An IP
 * literal is checked before connecting; a hostname is resolved in the socket's lookup hook, every
 * address must be allowed, and the socket connects only to those checked addresses (no gap for a
 * DNS answer that changes between the check and the connection). Each redirect is a new request,
 * checked the same way. One deadline covers the whole chain; the body is read up to a cap and no
 * further.
 */
import { promises as dns, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { NetworkPolicy } from "@dendrite-ts/runtime";

export interface FetchedUrl {
  /** The URL the body came from (after redirects). */
  readonly url: string;
  /** The response's Content-Type, lower-cased, without parameters ("" when absent). */
  readonly mediaType: string;
  /** Its charset parameter, if any. */
  readonly charset: string | undefined;
  readonly body: Buffer;
}

export interface FetchOptions {
  readonly networks: NetworkPolicy;
  readonly userAgent: string;
  /** Whole redirect chain, connect to last byte. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  /** Every address of a hostname; node:dns lookup with all: true by default. */
  readonly resolveHost?: (hostname: string) => Promise<LookupAddress[]>;
}

export type FetchFailure = "denied" | "unreachable" | "status" | "timeout" | "too-large" | "redirects";

/** The URL could not be fetched; `kind` says why (the route maps it to a Matrix error). */
export class FetchError extends Error {
  constructor(
    readonly kind: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = "FetchError";
  }
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Only http and https URLs are fetched; anything else is the caller's 400. */
export function isFetchableUrl(url: URL): boolean {
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && url.username === "" && url.password === "";
}

export async function fetchUrl(url: URL, opts: FetchOptions): Promise<FetchedUrl> {
  const deadline = Date.now() + opts.timeoutMs;
  let current = url;
  for (let hops = 0; ; hops++) {
    if (!isFetchableUrl(current)) throw new FetchError("unreachable", `cannot fetch ${current.protocol} URLs`);
    const res = await fetchOnce(current, opts, deadline);
    if (res.redirect === undefined) return res.fetched;
    if (hops >= opts.maxRedirects) throw new FetchError("redirects", `more than ${opts.maxRedirects} redirects`);
    current = new URL(res.redirect, current);
  }
}

function fetchOnce(url: URL, opts: FetchOptions, deadline: number): Promise<{ redirect?: string; fetched: FetchedUrl }> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) {
    const v = opts.networks.check(host);
    if (!v.allowed) return Promise.reject(denied(host, v.rule));
  }
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new FetchError("timeout", "timed out"));
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, {
      method: "GET",
      agent: false, // no pooled sockets: each connection goes through the lookup hook
      lookup: guardedLookup(opts),
      headers: { "user-agent": opts.userAgent, accept: "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.5" },
    });
    const timer = setTimeout(() => req.destroy(new FetchError("timeout", `no answer within ${opts.timeoutMs} ms`)), remaining);
    const fail = (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof FetchError ? e : new FetchError("unreachable", (e as Error).message));
    };
    req.on("error", fail);
    req.on("response", (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        clearTimeout(timer);
        res.resume();
        req.destroy();
        resolve({ redirect: location, fetched: undefined as never });
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        req.destroy();
        return fail(new FetchError("status", `the server answered ${status}`));
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        req.destroy();
        return fail(new FetchError("too-large", `the content is larger than ${opts.maxBytes} bytes`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) {
          req.destroy(new FetchError("too-large", `the content is larger than ${opts.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", fail);
      res.on("end", () => {
        clearTimeout(timer);
        const [type = "", ...params] = (res.headers["content-type"] ?? "").split(";");
        const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)/i.exec(p)?.[1]).find((c) => c !== undefined);
        resolve({ fetched: { url: url.toString(), mediaType: type.trim().toLowerCase(), charset, body: Buffer.concat(chunks) } });
      });
    });
    req.end();
  });
}

function denied(host: string, rule: string): FetchError {
  return new FetchError("denied", `${host} is in a denied network (${rule})`);
}

/** The socket's DNS lookup: every address of the name must be allowed, and only those are used. */
function guardedLookup(opts: FetchOptions): LookupFunction {
  const resolve = opts.resolveHost ?? ((h: string) => dns.lookup(h, { all: true }));
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(new FetchError("unreachable", `no addresses for ${hostname}`));
        for (const a of addresses) {
          // One denied address refuses the name: we never pick the "good" ones (as Synapse).
          const v = opts.networks.check(a.address);
          if (!v.allowed) return callback(denied(`${hostname} (${a.address})`, v.rule));
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: unknown) => callback(err),
    );
  }) as LookupFunction;
}
