/**
 * The transport under httpClient: node:http with a keep-alive agent instead of the global fetch.
 * Every polylith request crosses two or three component hops; on a two-core machine undici's
 * fetch cost about twice the CPU of node:http per request. Behaviour mirrors ts-rest's
 * tsRestFetchApi: JSON bodies are parsed, text returned as text, anything else as a Blob, and a
 * transport failure rejects with the socket's error.
 */
import http from "node:http";
import https from "node:https";
import type { ApiFetcherArgs } from "@ts-rest/core";

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

export function nodeHttpFetch(args: ApiFetcherArgs): Promise<{ status: number; body: unknown; headers: Headers }> {
  const url = new URL(args.path);
  const secure = url.protocol === "https:";
  const body = args.body;
  if (body !== undefined && body !== null && typeof body !== "string") {
    return Promise.reject(new TypeError("httpClient sends JSON or text bodies only"));
  }
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...args.headers };
    if (body !== undefined && body !== null) headers["content-length"] = String(Buffer.byteLength(body));
    const req = (secure ? https : http).request(url, { method: args.method, headers, agent: secure ? httpsAgent : httpAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const type = res.headers["content-type"] ?? "";
        let parsed: unknown;
        try {
          if (type.includes("application/") && type.includes("json")) parsed = raw.length === 0 ? undefined : JSON.parse(raw.toString("utf8"));
          else if (type.includes("text/")) parsed = raw.toString("utf8");
          else parsed = new Blob([raw]);
        } catch (e) {
          reject(e);
          return;
        }
        // Headers built on first read (few callers look; building one costs more than parsing the body).
        let out: Headers | undefined;
        resolve({
          status: res.statusCode ?? 0,
          body: parsed,
          get headers() {
            if (!out) {
              out = new Headers();
              for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
            }
            return out;
          },
        });
      });
    });
    req.on("error", reject);
    const signal = args.fetchOptions?.signal ?? undefined;
    if (signal) {
      if (signal.aborted) req.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      else signal.addEventListener("abort", () => req.destroy(new Error("aborted")), { once: true });
    }
    req.end(body ?? undefined);
  });
}
