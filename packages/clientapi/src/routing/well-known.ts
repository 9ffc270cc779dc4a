/**
 * Client discovery (client-server API, "Server Discovery" and "Server contact discovery"):
 * /.well-known/matrix/client names the base URL clients should use, /.well-known/matrix/support
 * whom to contact. Both come from the config; unset, they are 404, which tells a client to use
 * the server name's host as it is and that no contacts are published.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import type { RouteContext } from "./context";

export interface WellKnownConfig {
  /** The base URL clients should use, e.g. "https://matrix.example.org". */
  clientBaseUrl?: string;
  /** The support document as served: contacts and/or a support page. */
  support?: { contacts?: Array<{ role: string; matrix_id?: string; email_address?: string }>; support_page?: string };
}

export function registerWellKnownRoutes(server: FastifyInstance, ctx: Pick<RouteContext, "config">): void {
  const { clientBaseUrl, support } = ctx.config.wellKnown ?? {};
  server.get("/.well-known/matrix/client", async () => {
    if (clientBaseUrl === undefined) throw new MatrixError("M_NOT_FOUND", "No client discovery information is published");
    return { "m.homeserver": { base_url: clientBaseUrl } };
  });
  server.get("/.well-known/matrix/support", async () => {
    if (support === undefined) throw new MatrixError("M_NOT_FOUND", "No support information is published");
    return support;
  });
}
