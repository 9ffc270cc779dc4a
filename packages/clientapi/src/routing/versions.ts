/**
 * `GET /_matrix/client/versions`: the spec versions this server implements. It needs no access
 * token; clients call it first to decide what they may use.
 *
 * Why v1.1 … v1.19: every route here follows its v1.19 definition (device-scoped transaction
 * IDs of v1.7, the /v1 registration-token path of v1.2, `?format=event` on state, room version
 * 12 as the default), and v1.x releases are backwards compatible, so a v1.19 endpoint is also
 * the v1.1 … v1.18 one. Clients test for exact entries (matrix-js-sdk refuses a server that
 * lists none of its supported versions, oldest v1.1 or v1.5 depending on its release), so each
 * is listed. r0.x is not claimed: the r0 path aliases exist only for old clients' URLs; r0
 * semantics (transaction IDs per access token, no /v3) are not what we serve.
 */
import type { FastifyInstance } from "fastify";

const LATEST_MINOR = 19;

/** Spec versions we implement; raised only when the endpoints of that version are really here. */
export const SUPPORTED_SPEC_VERSIONS: readonly string[] = Array.from({ length: LATEST_MINOR }, (_, i) => `v1.${i + 1}`);

export function registerVersionsRoute(server: FastifyInstance): void {
  server.get("/_matrix/client/versions", async () => ({
    versions: SUPPORTED_SPEC_VERSIONS,
    unstable_features: {},
  }));
}
