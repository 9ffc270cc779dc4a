/**
 * `mountContract(server, contract, impl)`: serve a contract on a server from createHttpServer.
 *
 * Registered inside its own fastify context because @ts-rest/fastify installs an error handler on
 * the instance it is given: scoped, it only answers validation failures (Matrix-shaped, via the
 * shared validation.ts) and hands every other error up to the root handler, which turns a
 * MatrixError into its status/body and anything else into 500 M_UNKNOWN (logged).
 */
import { initServer } from "@ts-rest/fastify";
import { isAppRoute } from "@ts-rest/core";
import type { AppRouter } from "@ts-rest/core";
import type { FastifyInstance } from "fastify";
import { validationError } from "./validation";
import type { AnyRouteImpl, ContractImpl, RawInput } from "./types";

export interface MountOptions {
  /** Path prefix for every route of the contract (e.g. "/roomserver" in a shared listener). */
  prefix?: string;
}

export async function mountContract<C extends AppRouter>(
  server: FastifyInstance,
  contract: C,
  impl: ContractImpl<C>,
  opts: MountOptions = {},
): Promise<void> {
  const s = initServer();
  const router = adapt(contract, impl as unknown as Record<string, unknown>);
  await server.register(
    async (scope) => {
      s.registerRouter(contract, router as never, scope, {
        logInitialization: false,
        jsonQuery: false,
        responseValidation: false,
        requestValidationErrorHandler: (err, _req, reply) => {
          const e = validationError({
            pathParams: err.pathParams,
            headers: err.headers,
            query: err.query,
            body: err.body,
          });
          return reply.status(e.status).send(e.toJSON());
        },
      });
    },
    opts.prefix ? { prefix: opts.prefix } : {},
  );
}

/** Our impl shape → ts-rest's: drop the fastify request/reply so impls stay transport-free. */
function adapt(router: AppRouter, impl: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(router)) {
    const sub = impl[key];
    if (sub === undefined) throw new Error(`mountContract: no implementation for route "${key}"`);
    if (isAppRoute(node)) {
      const fn = sub as AnyRouteImpl;
      out[key] = async ({ params, query, body, headers }: RawInput) => fn({ params, query, body, headers });
    } else out[key] = adapt(node as AppRouter, sub as Record<string, unknown>);
  }
  return out;
}
