/**
 * POST /_matrix/media/v3/upload (a new mxc:// URI for the bytes) and
 * PUT /_matrix/media/v3/upload/{serverName}/{mediaId} (the bytes for a URI from POST /create).
 * The body streams to disk under max_file_size_bytes; past it the upload is refused with
 * 413 M_TOO_LARGE and nothing is kept.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { FastifyRequest } from "fastify";
import { FileTooLargeError } from "../files/file-store";
import type { NewContent } from "../storage";
import { authenticate, MEDIA_PREFIXES, mediaNotFound, mxcParams, mxcUri, newMediaId, queryString, remoteMediaNotFound } from "./common";
import type { RoutingDeps } from "./index";

/** Spec: the Content-Type header is optional and defaults to application/octet-stream. */
const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const MAX_CONTENT_TYPE_LENGTH = 255;

export function registerUploadRoutes(server: HttpServer, deps: RoutingDeps): void {
  for (const prefix of MEDIA_PREFIXES) {
    server.post(`${prefix}/upload`, async (req) => {
      const userId = await authenticate(req, deps.userapi);
      const content = await receiveContent(req, deps);
      // 144 random bits: a collision is all but impossible, but a taken ID is never reused.
      for (;;) {
        const mediaId = newMediaId();
        const inserted = await deps.store.media.insertUploaded({ origin: deps.serverName, mediaId, uploader: userId, createdTs: deps.now(), ...content });
        if (inserted) return { content_uri: mxcUri(deps.serverName, mediaId) };
      }
    });

    server.put(`${prefix}/upload/:serverName/:mediaId`, async (req) => {
      const userId = await authenticate(req, deps.userapi);
      const { serverName, mediaId } = mxcParams(req.params);
      if (serverName !== deps.serverName) throw remoteMediaNotFound(serverName);
      const pending = await deps.store.media.getMedia(serverName, mediaId);
      if (!pending) throw mediaNotFound();
      // Checked before the bytes are read, and again (atomically) when they are stored.
      if (pending.content) throw overwrite();
      if (pending.uploader !== userId) throw new MatrixError("M_FORBIDDEN", "This media ID was created by another user");
      if ((pending.unusedExpiresTs ?? 0) <= deps.now()) throw new MatrixError("M_NOT_FOUND", "This media ID has expired");
      const content = await receiveContent(req, deps);
      if (await deps.store.media.fillPending(serverName, mediaId, deps.now(), content)) return {};
      const now = await deps.store.media.getMedia(serverName, mediaId);
      if (now?.content) throw overwrite();
      throw new MatrixError("M_NOT_FOUND", "This media ID has expired");
    });
  }
}

function overwrite(): MatrixError {
  // The spec gives 409 for M_CANNOT_OVERWRITE_MEDIA on this endpoint.
  return new MatrixError("M_CANNOT_OVERWRITE_MEDIA", "Media already uploaded", {}, 409);
}

/** The request's bytes stored on disk, with the type and name they came with. */
async function receiveContent(req: FastifyRequest, deps: RoutingDeps): Promise<NewContent> {
  const contentType = contentTypeOf(req.headers["content-type"]);
  const filename = queryString(req.query, "filename");
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > deps.maxFileSizeBytes) throw tooLarge(deps.maxFileSizeBytes);
  try {
    const file = await deps.files.write(req.raw, deps.maxFileSizeBytes);
    return { contentType, uploadName: filename === "" ? undefined : filename, sizeBytes: file.sizeBytes, sha256: file.sha256 };
  } catch (e) {
    if (e instanceof FileTooLargeError) throw tooLarge(deps.maxFileSizeBytes);
    // The client went away mid-upload: nothing was kept, and nobody reads this answer.
    if (req.raw.readableAborted) throw new MatrixError("M_UNKNOWN", "The upload was interrupted", {}, 400);
    throw e;
  }
}

function contentTypeOf(header: string | undefined): string {
  const value = header?.trim();
  if (!value) return DEFAULT_CONTENT_TYPE;
  if (value.length > MAX_CONTENT_TYPE_LENGTH) {
    throw new MatrixError("M_INVALID_PARAM", `The Content-Type header is longer than ${MAX_CONTENT_TYPE_LENGTH} characters`);
  }
  return value;
}

function tooLarge(max: number): MatrixError {
  return new MatrixError("M_TOO_LARGE", `Cannot upload files larger than ${max} bytes`);
}
