/** GET /media/config (authenticated and legacy): the upload size limit, so clients can check first. */
import type { HttpServer } from "@dendrite-ts/runtime";
import { authenticate, CLIENT_MEDIA_PREFIX, MEDIA_PREFIXES } from "./common";
import type { RoutingDeps } from "./index";

export function registerConfigRoutes(server: HttpServer, deps: RoutingDeps): void {
  for (const prefix of [CLIENT_MEDIA_PREFIX, ...MEDIA_PREFIXES]) {
    server.get(`${prefix}/config`, async (req) => {
      // Both versions require an access token (spec: security accessTokenBearer on each).
      await authenticate(req, deps.userapi);
      return { "m.upload.size": deps.maxFileSizeBytes };
    });
  }
}
