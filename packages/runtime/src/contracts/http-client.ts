/**
 * `httpClient(contract, baseUrl)`: the same client type over HTTP, via ts-rest's `initClient`
 * over node:http with keep-alive (node-http-fetcher.ts). Four things are added on
 * top: path params are URL-encoded (ts-rest inserts them raw, and Matrix IDs carry '#', '/', '+'),
 * the query string is written by query.ts (repeated keys for lists), error responses become
 * MatrixError rejections per outcome.ts, and a component that cannot be reached (down,
 * restarting, the connection cut) is a 502 M_UNKNOWN — a server-side outage a client may retry,
 * not an internal error of the caller.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { initClient, isAppRoute } from "@ts-rest/core";
import { nodeHttpFetch } from "./node-http-fetcher";
import type { AppRoute, AppRouter } from "@ts-rest/core";
import { errorFromResponse } from "./outcome";
import { encodeQuery } from "./query";
import type { ContractClient } from "./types";

export interface HttpClientOptions {
  /** Sent with every request (e.g. a shared-secret Authorization header between components). */
  headers?: Record<string, string>;
}

export function httpClient<C extends AppRouter>(
  contract: C,
  baseUrl: string,
  opts: HttpClientOptions = {},
): ContractClient<C> {
  const raw = initClient(contract, {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    baseHeaders: opts.headers ?? {},
    throwOnUnknownStatus: false,
    api: async (args) => {
      const q = encodeQuery(args.rawQuery);
      const path = args.path.split("?")[0] + (q ? `?${q}` : "");
      return nodeHttpFetch({ ...args, path });
    },
  }) as unknown as Record<string, unknown>;
  return wrap(contract, raw, baseUrl) as ContractClient<C>;
}

type RawCall = (args?: Record<string, unknown>) => Promise<{ status: number; body: unknown; headers: Headers }>;

function wrap(router: AppRouter, raw: Record<string, unknown>, baseUrl: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(router)) {
    out[key] = isAppRoute(node)
      ? caller(node, raw[key] as RawCall, baseUrl)
      : wrap(node as AppRouter, raw[key] as Record<string, unknown>, baseUrl);
  }
  return out;
}

function caller(_route: AppRoute, call: RawCall, baseUrl: string) {
  return async (args: Record<string, unknown> = {}) => {
    const params = args["params"] as Record<string, unknown> | undefined;
    let res: Awaited<ReturnType<RawCall>>;
    try {
      res = await call(params ? { ...args, params: encodeParams(params) } : args);
    } catch (cause) {
      if (cause instanceof TypeError) throw cause; // our misuse (a non-JSON body), not the network
      const err = new MatrixError("M_UNKNOWN", `Component at ${baseUrl} is unreachable`, {}, 502);
      (err as Error).cause = cause;
      throw err;
    }
    const err = errorFromResponse(res.status, res.body);
    if (err) throw err;
    return res;
  };
}

function encodeParams(p: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null) out[k] = encodeURIComponent(String(v));
  return out;
}
