/**
 * POST /_matrix/media/v1/create: an mxc:// URI now, its content later through
 * PUT /_matrix/media/v3/upload/{serverName}/{mediaId} (asynchronous upload, Matrix 1.7). The ID
 * takes an upload for 24 hours (the spec's recommended expiry); a user holds at most
 * MAX_PENDING_UPLOADS such IDs at a time, then 429 M_LIMIT_EXCEEDED (the spec's SHOULD).
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import { authenticate, mxcUri, newMediaId } from "./common";
import type { RoutingDeps } from "./index";

export const UNUSED_MEDIA_ID_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** As Synapse's default (max_pending_media_uploads). */
export const MAX_PENDING_UPLOADS = 5;

export function registerCreateRoute(server: HttpServer, deps: RoutingDeps): void {
  server.post("/_matrix/media/v1/create", async (req) => {
    const userId = await authenticate(req, deps.userapi);
    const now = deps.now();
    if ((await deps.store.media.countPending(userId, now)) >= MAX_PENDING_UPLOADS) {
      throw new MatrixError("M_LIMIT_EXCEEDED", `At most ${MAX_PENDING_UPLOADS} media IDs may wait for their upload; upload to one first`);
    }
    const unusedExpiresTs = now + UNUSED_MEDIA_ID_LIFETIME_MS;
    for (;;) {
      const mediaId = newMediaId();
      if (await deps.store.media.insertPending({ origin: deps.serverName, mediaId, uploader: userId, createdTs: now, unusedExpiresTs })) {
        return { content_uri: mxcUri(deps.serverName, mediaId), unused_expires_at: unusedExpiresTs };
      }
    }
  });
}
