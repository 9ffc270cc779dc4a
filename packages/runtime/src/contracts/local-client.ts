/**
 * `localClient(contract, impl)`: the client type `initClient` gives, calling `impl` in-process.
 *
 * No HTTP and no JSON round trip. Inputs are passed through, not cloned: zod's parse builds new
 * objects for declared object schemas, but anything under `z.any()`/`z.unknown()` and the response
 * bodies are shared between caller and callee. Both sides must treat them as immutable (the
 * house rule); cloning every call would cost what the monolith exists to save.
 *
 * To fail exactly like the HTTP path, the input is first shaped as the server would see it:
 * path params become strings, the query goes through query.ts (every value a string, repeated
 * keys an array, as fastify parses them), header names are lower-cased.
 * Then the same zod validation runs, and the outcome follows outcome.ts.
 */
import { isAppRoute } from "@ts-rest/core";
import type { AppRoute, AppRouter } from "@ts-rest/core";
import { validateRequest } from "./validation";
import { serverQuery } from "./query";
import { errorFromResponse, errorFromThrown } from "./outcome";
import type { AnyRouteImpl, ContractClient, ContractImpl } from "./types";

export function localClient<C extends AppRouter>(contract: C, impl: ContractImpl<C>): ContractClient<C> {
  return build(contract, impl as unknown as Record<string, unknown>) as ContractClient<C>;
}

function build(router: AppRouter, impl: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(router)) {
    const sub = impl[key];
    if (sub === undefined) throw new Error(`localClient: no implementation for route "${key}"`);
    out[key] = isAppRoute(node)
      ? routeCaller(node, sub as AnyRouteImpl)
      : build(node as AppRouter, sub as Record<string, unknown>);
  }
  return out;
}

interface CallArgs {
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
  headers?: Record<string, unknown>;
  extraHeaders?: Record<string, unknown>;
}

function routeCaller(route: AppRoute, fn: AnyRouteImpl) {
  return async (args: CallArgs = {}) => {
    const input = validateRequest(route, {
      params: stringParams(args.params),
      headers: lowerHeaders({ ...args.extraHeaders, ...args.headers }),
      query: serverQuery(args.query),
      // ts-rest sends no body for GET, nor for a null/undefined one.
      body: route.method === "GET" || args.body === null ? undefined : args.body,
    });
    let res: { status: number; body?: unknown };
    try {
      res = await fn(input as Parameters<AnyRouteImpl>[0]);
    } catch (e) {
      throw errorFromThrown(e);
    }
    const err = errorFromResponse(res.status, res.body);
    if (err) throw err;
    // Built on first read: a Headers object costs more than many calls themselves, and few callers look.
    let headers: Headers | undefined;
    return {
      status: res.status,
      body: res.body,
      get headers() {
        return (headers ??= responseHeaders(res.body));
      },
    };
  };
}

function stringParams(p: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

function lowerHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

function responseHeaders(body: unknown): Headers {
  const h = new Headers();
  if (body !== undefined) h.set("content-type", typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8");
  return h;
}
