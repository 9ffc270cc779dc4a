/**
 * Third-party lookups (client-server API, "Third-party Lookup"): the protocols bridged here and
 * the portal rooms and users behind them. Only application services can bridge a protocol, and
 * none are registered here yet, so the answers are the spec's for "none": no protocols, and
 * 404 M_NOT_FOUND for any protocol, location or user asked about. Element asks for the protocols
 * when it opens the room directory.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import { clientRoute, type Handler, type RouteContext } from "./context";

export function registerThirdPartyRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/thirdparty/protocols", async (req) => {
    await ctx.authenticate(req);
    return {};
  });
  clientRoute(server, "GET", "/thirdparty/protocol/:protocol", async (req) => {
    await ctx.authenticate(req);
    throw new MatrixError("M_NOT_FOUND", `No application service bridges the protocol ${(req.params as { protocol: string }).protocol}`);
  });
  for (const what of ["location", "user"] as const) {
    const none: Handler = async (req) => {
      await ctx.authenticate(req);
      throw new MatrixError("M_NOT_FOUND", `No third-party ${what} found: no application service bridges a protocol here`);
    };
    clientRoute(server, "GET", `/thirdparty/${what}`, none);
    clientRoute(server, "GET", `/thirdparty/${what}/:protocol`, none);
  }
}
