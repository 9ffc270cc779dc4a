/**
 * `GET /_matrix/client/versions`: the spec versions this server implements. It needs no access
 * token; clients call it first to decide what they may use.
 */
import type { FastifyInstance } from "fastify";

/** Spec versions we implement; raised only when the endpoints of that version are really here. */
export const SUPPORTED_SPEC_VERSIONS: readonly string[] = ["v1.19"];

export function registerVersionsRoute(server: FastifyInstance): void {
  server.get("/_matrix/client/versions", async () => ({
    versions: SUPPORTED_SPEC_VERSIONS,
    unstable_features: {},
  }));
}
