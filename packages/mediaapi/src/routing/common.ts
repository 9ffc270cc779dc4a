/** What every media route shares: who is asking, and the mxc:// parts and query parameters checked. */
import { randomBytes } from "node:crypto";
import { isValidServerName, MatrixError } from "@dendrite-ts/protocol";
import type { RequestLike } from "@dendrite-ts/runtime";
import { requesterOf, type UserapiForAuth } from "@dendrite-ts/userapi";

/** The legacy media API versions we answer upload, download and config on (r0: older clients). */
export const MEDIA_PREFIXES = ["/_matrix/media/v3", "/_matrix/media/r0"] as const;
/** The authenticated media API (Matrix 1.11). */
export const CLIENT_MEDIA_PREFIX = "/_matrix/client/v1/media";

/** The requesting user's ID (media belongs to users, not devices). */
export async function authenticate(req: RequestLike, userapi: UserapiForAuth): Promise<string> {
  return (await requesterOf(req, userapi)).userId;
}

/**
 * Spec (content repository, security considerations): a media ID is only `A-Za-z0-9_-`, which
 * keeps `../` and its encodings out of every lookup.
 */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

export interface MxcParts {
  serverName: string;
  mediaId: string;
}

/** The `{serverName}/{mediaId}` of a path, checked as the spec requires; 400 M_INVALID_PARAM otherwise. */
export function mxcParams(params: unknown): MxcParts {
  const p = params as Record<string, unknown>;
  const serverName = p["serverName"];
  const mediaId = p["mediaId"];
  if (typeof serverName !== "string" || !isValidServerName(serverName)) {
    throw new MatrixError("M_INVALID_PARAM", "serverName is not a valid server name");
  }
  if (typeof mediaId !== "string" || !MEDIA_ID.test(mediaId)) {
    throw new MatrixError("M_INVALID_PARAM", "mediaId may hold only A-Z, a-z, 0-9, _ and -, at most 255 of them");
  }
  return { serverName, mediaId };
}

/** 24 URL-safe characters (144 random bits), within the spec's media ID alphabet. */
export function newMediaId(): string {
  return randomBytes(18).toString("base64url");
}

export function mxcUri(serverName: string, mediaId: string): string {
  return `mxc://${serverName}/${mediaId}`;
}

export { queryString } from "@dendrite-ts/runtime";

/** Media of another server: not fetched over federation yet, so unknown here. */
export function remoteMediaNotFound(serverName: string): MatrixError {
  return new MatrixError("M_NOT_FOUND", `Media of other servers (${serverName}) cannot be fetched yet`);
}

export function mediaNotFound(): MatrixError {
  return new MatrixError("M_NOT_FOUND", "Unknown media");
}
