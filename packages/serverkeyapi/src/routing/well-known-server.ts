/**
 * /.well-known/matrix/server (server-server API, "Resolving server names"): delegation of our
 * server name to another host:port, when the config names one; otherwise 404, and other servers
 * connect to the server name itself. Served here, with the key routes, until federationapi
 * exists to own the federation-facing routes.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";

export function registerServerDiscoveryRoute(server: HttpServer, delegatedTo: string | undefined): void {
  server.get("/.well-known/matrix/server", async () => {
    if (delegatedTo === undefined) throw new MatrixError("M_NOT_FOUND", "This server does not delegate");
    return { "m.server": delegatedTo };
  });
}
