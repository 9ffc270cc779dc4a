/**
 * The two types every component shares: `ContractImpl<C>`, what a component implements, and
 * `ContractClient<C>`, what its callers hold — exactly the type `initClient(contract, { baseUrl })`
 * returns, whether the callee is in-process (localClient) or remote (httpClient).
 */
import type {
  AppRoute,
  AppRouter,
  InitClientReturn,
  ServerInferRequest,
  ServerInferResponses,
} from "@ts-rest/core";

/**
 * One route's implementation: validated `{ params, query, body, headers }` in (only the parts the
 * route has), `{ status, body }` out. Throw `MatrixError` for Matrix failures; see outcome.ts.
 * Inputs are shared with the caller when in-process: never mutate them.
 */
export type RouteImpl<R extends AppRoute> = (
  input: ServerInferRequest<R>,
) => Promise<ServerInferResponses<R>>;

export type ContractImpl<C extends AppRouter> = {
  [K in keyof C]: C[K] extends AppRoute
    ? RouteImpl<C[K]>
    : C[K] extends AppRouter
      ? ContractImpl<C[K]>
      : never;
};

export type ContractClient<C extends AppRouter> = InitClientReturn<C, { baseUrl: string }>;

/** What the adapters pass to a RouteImpl at runtime, before typing. */
export interface RawInput {
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
  headers?: Record<string, unknown>;
}

export type AnyRouteImpl = (input: RawInput) => Promise<{ status: number; body?: unknown }>;
