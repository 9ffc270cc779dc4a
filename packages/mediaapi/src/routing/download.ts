/**
 * GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}] (authenticated) and
 * the deprecated /_matrix/media/v3/download/… (no access token: served still, as Synapse does).
 * The stored bytes exactly, with the type they were uploaded with and the spec's headers:
 * Content-Disposition (content-disposition.ts), the recommended Content-Security-Policy, and
 * Cross-Origin-Resource-Policy: cross-origin. A media ID created but not uploaded yet is waited
 * for up to timeout_ms, then 504 M_NOT_YET_UPLOADED.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { StoredMedia } from "../storage";
import { contentDisposition } from "./content-disposition";
import { authenticate, CLIENT_MEDIA_PREFIX, MEDIA_PREFIXES, mediaNotFound, mxcParams, queryString, remoteMediaNotFound } from "./common";
import type { RoutingDeps } from "./index";

/** Spec: "The recommended policy". */
export const MEDIA_CONTENT_SECURITY_POLICY =
  "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; object-src 'self';";

/** Spec default for timeout_ms, and our cap on it (the spec asks servers to impose one). */
const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_TIMEOUT_MS = 120_000;
/** How often a wait for a pending upload looks again (any mediaapi process may receive it). */
const PENDING_POLL_MS = 250;

export function registerDownloadRoutes(server: HttpServer, deps: RoutingDeps): void {
  const authed = (req: FastifyRequest, reply: FastifyReply) => download(req, reply, deps, true);
  const legacy = (req: FastifyRequest, reply: FastifyReply) => download(req, reply, deps, false);
  server.get(`${CLIENT_MEDIA_PREFIX}/download/:serverName/:mediaId`, authed);
  server.get(`${CLIENT_MEDIA_PREFIX}/download/:serverName/:mediaId/:fileName`, authed);
  for (const prefix of MEDIA_PREFIXES) {
    server.get(`${prefix}/download/:serverName/:mediaId`, legacy);
    server.get(`${prefix}/download/:serverName/:mediaId/:fileName`, legacy);
  }
}

async function download(req: FastifyRequest, reply: FastifyReply, deps: RoutingDeps, authenticated: boolean): Promise<FastifyReply> {
  if (authenticated) await authenticate(req, deps.userapi);
  const { serverName, mediaId } = mxcParams(req.params);
  const pathFileName = (req.params as { fileName?: string }).fileName;
  const timeoutMs = parseTimeout(queryString(req.query, "timeout_ms"));
  if (serverName !== deps.serverName) throw remoteMediaNotFound(serverName);
  const media = await uploadedMedia(deps, serverName, mediaId, timeoutMs);
  const content = media.content!;
  const body = await deps.files.read(content.sha256);
  // A row whose file is gone is our fault (lost disk, wrong base_path), never the client's.
  if (!body) throw new Error(`media ${serverName}/${mediaId}: file ${content.sha256} is missing from base_path`);
  return reply
    .header("content-type", content.contentType)
    .header("content-length", String(content.sizeBytes))
    .header("content-disposition", contentDisposition(content.contentType, pathFileName ?? content.uploadName))
    .header("content-security-policy", MEDIA_CONTENT_SECURITY_POLICY)
    .header("cross-origin-resource-policy", "cross-origin")
    .header("x-content-type-options", "nosniff")
    .send(body);
}

/** The media row once it has content; waits up to timeoutMs for a pending upload. */
export async function uploadedMedia(deps: RoutingDeps, serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const media = await deps.store.media.getMedia(serverName, mediaId);
    if (!media) throw mediaNotFound();
    if (media.content) return media;
    if ((media.unusedExpiresTs ?? 0) <= deps.now()) throw mediaNotFound();
    const left = deadline - Date.now();
    if (left <= 0) throw new MatrixError("M_NOT_YET_UPLOADED", "Content has not yet been uploaded");
    await new Promise((resolve) => setTimeout(resolve, Math.min(PENDING_POLL_MS, left)));
  }
}

export function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  if (!/^\d{1,15}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", "timeout_ms must be a non-negative integer");
  return Math.min(Number(raw), MAX_TIMEOUT_MS);
}
