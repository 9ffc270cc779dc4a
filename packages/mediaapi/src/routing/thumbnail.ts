/**
 * GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId} (authenticated) and the deprecated
 * /_matrix/media/v3/thumbnail/… (no access token, as download). `width` and `height` (required,
 * positive integers) are the least the client wants; `method` crop|scale (default scale);
 * `animated` true|false; `timeout_ms` as download. The answer is one of the spec's standard
 * thumbnails (thumbnails/sizes.ts), made on first request and stored, or the original image when
 * none is at least as large as asked. Media that is not a JPEG, PNG, GIF or WebP image we can read
 * → 400 M_UNKNOWN (the spec: "the server cannot thumbnail the content"); an image over
 * MAX_THUMBNAIL_SOURCE_PIXELS → 413 M_TOO_LARGE.
 */
import { access } from "node:fs/promises";
import { Readable } from "node:stream";
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { StoredThumbnail } from "../storage";
import { chooseThumbnailSize, outputDimensions, type ThumbnailMethod, type ThumbnailSize } from "../thumbnails/sizes";
import { ImageTooLargeError, NotThumbnailableError, readImageInfo, renderThumbnail, type ImageInfo } from "../thumbnails/thumbnailer";
import { authenticate, CLIENT_MEDIA_PREFIX, MEDIA_PREFIXES, mxcParams, queryString, remoteMediaNotFound } from "./common";
import { MEDIA_CONTENT_SECURITY_POLICY, parseTimeout, uploadedMedia } from "./download";
import type { RoutingDeps } from "./index";

/** The uploaded types we try to thumbnail (the decoder then checks the bytes are one of them). */
const THUMBNAIL_SOURCE_TYPES: ReadonlySet<string> = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

const FILE_EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
};

export interface ThumbnailRequest extends ThumbnailSize {
  readonly animated: boolean;
}

export function registerThumbnailRoutes(server: HttpServer, deps: RoutingDeps): void {
  server.get(`${CLIENT_MEDIA_PREFIX}/thumbnail/:serverName/:mediaId`, (req, reply) => thumbnail(req, reply, deps, true));
  for (const prefix of MEDIA_PREFIXES) {
    server.get(`${prefix}/thumbnail/:serverName/:mediaId`, (req, reply) => thumbnail(req, reply, deps, false));
  }
}

async function thumbnail(req: FastifyRequest, reply: FastifyReply, deps: RoutingDeps, authenticated: boolean): Promise<FastifyReply> {
  if (authenticated) await authenticate(req, deps.userapi);
  const { serverName, mediaId } = mxcParams(req.params);
  const request = thumbnailRequest(req.query);
  const timeoutMs = parseTimeout(queryString(req.query, "timeout_ms"));
  if (serverName !== deps.serverName) throw remoteMediaNotFound(serverName);
  const content = (await uploadedMedia(deps, serverName, mediaId, timeoutMs)).content!;
  if (!THUMBNAIL_SOURCE_TYPES.has(mediaTypeOf(content.contentType))) throw cannotThumbnail();
  const path = deps.files.pathOf(content.sha256);
  // A row whose file is gone is our fault (lost disk, wrong base_path), never the client's.
  await access(path).catch(() => {
    throw new Error(`media ${serverName}/${mediaId}: file ${content.sha256} is missing from base_path`);
  });
  const info = await readImageInfo(path).catch(asMatrixError);
  const original: StoredThumbnail = { width: info.width, height: info.height, contentType: info.contentType, sizeBytes: content.sizeBytes, sha256: content.sha256 };

  // Spec (animated): when true the server SHOULD answer animated; when false or absent, still.
  if (info.animated && request.animated) return send(reply, deps, original);
  const chosen = chooseThumbnailSize(info, request);
  // "original": none is as large as asked. A still image is then answered as it is; an animated
  // one by a still copy of its own size, made and stored like any thumbnail.
  const target: ThumbnailSize = chosen === "original" ? { width: info.width, height: info.height, method: "scale" } : chosen;
  const out = outputDimensions(info, target);
  if (!info.animated && out.width === info.width && out.height === info.height) return send(reply, deps, original);
  const stored = (await deps.store.thumbnails.getThumbnail(serverName, mediaId, target)) ?? (await makeThumbnail(deps, serverName, mediaId, path, info, target));
  return send(reply, deps, stored);
}

/** Renders, stores and records the thumbnail of `target` (first request for that size). */
async function makeThumbnail(deps: RoutingDeps, origin: string, mediaId: string, path: string, info: ImageInfo, target: ThumbnailSize): Promise<StoredThumbnail> {
  const made = await renderThumbnail(path, info, target).catch(asMatrixError);
  const file = await deps.files.write(Readable.from([made.bytes]), Number.POSITIVE_INFINITY);
  const thumb: StoredThumbnail = { width: made.width, height: made.height, contentType: made.contentType, sizeBytes: file.sizeBytes, sha256: file.sha256 };
  await deps.store.thumbnails.insertThumbnail({ origin, mediaId, target, createdTs: deps.now(), ...thumb });
  return thumb;
}

async function send(reply: FastifyReply, deps: RoutingDeps, image: StoredThumbnail): Promise<FastifyReply> {
  const body = await deps.files.read(image.sha256);
  if (!body) throw new Error(`thumbnail file ${image.sha256} is missing from base_path`);
  return reply
    .header("content-type", image.contentType)
    .header("content-length", String(image.sizeBytes))
    .header("content-disposition", `inline; filename="thumbnail.${FILE_EXTENSIONS[image.contentType] ?? "bin"}"`)
    .header("content-security-policy", MEDIA_CONTENT_SECURITY_POLICY)
    .header("cross-origin-resource-policy", "cross-origin")
    .header("x-content-type-options", "nosniff")
    .send(body);
}

/** width, height, method and animated, checked; 400 M_MISSING_PARAM / M_INVALID_PARAM otherwise. */
export function thumbnailRequest(query: unknown): ThumbnailRequest {
  const dimension = (name: string): number => {
    const raw = queryString(query, name);
    if (raw === undefined) throw new MatrixError("M_MISSING_PARAM", `${name} is required`);
    if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new MatrixError("M_INVALID_PARAM", `${name} must be a positive integer`);
    return Number(raw);
  };
  const width = dimension("width");
  const height = dimension("height");
  const method = queryString(query, "method") ?? "scale";
  if (method !== "crop" && method !== "scale") throw new MatrixError("M_INVALID_PARAM", "method must be crop or scale");
  const animated = queryString(query, "animated");
  if (animated !== undefined && animated !== "true" && animated !== "false") throw new MatrixError("M_INVALID_PARAM", "animated must be true or false");
  return { width, height, method: method satisfies ThumbnailMethod, animated: animated === "true" };
}

function cannotThumbnail(): MatrixError {
  return new MatrixError("M_UNKNOWN", "Cannot generate thumbnails for the requested content");
}

function asMatrixError(e: unknown): never {
  if (e instanceof NotThumbnailableError) throw cannotThumbnail();
  if (e instanceof ImageTooLargeError) throw new MatrixError("M_TOO_LARGE", "Content is too large to thumbnail");
  throw e;
}

/** `image/PNG; charset=x` → `image/png`. */
function mediaTypeOf(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}
