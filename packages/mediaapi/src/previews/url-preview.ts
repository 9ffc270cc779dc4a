/**
 * A URL's preview (GET /preview_url): the page's OpenGraph data, its og:image fetched (same
 * checks), stored as our own media and named by its mxc:// URI, with the image's type, size and
 * dimensions; or, when the URL is an image, that image. Other content previews as `{}`. Answers
 * are kept in mediaapi.url_previews and reused while fresh.
 */
import { Readable } from "node:stream";
import type { NetworkPolicy } from "@dendrite-ts/runtime";
import type { FileStore } from "../files/file-store";
import { mxcUri, newMediaId } from "../routing/common";
import type { MediaStore } from "../storage";
import type { PreviewJson } from "../storage/url-previews";
import { ImageTooLargeError, NotThumbnailableError, readImageInfo } from "../thumbnails/thumbnailer";
import { FetchError, fetchUrl, type FetchedUrl, type FetchOptions } from "./fetch-url";
import { decodeHtml, parseOpenGraph } from "./opengraph";

/** How long a preview is reused (Synapse keeps them an hour too). */
export const PREVIEW_FRESH_MS = 60 * 60 * 1000;
/** Largest page read (Synapse's max_spider_size default). */
export const MAX_PAGE_BYTES = 10 * 1024 * 1024;
export const FETCH_TIMEOUT_MS = 10_000;
export const MAX_REDIRECTS = 5;

/** What the config decides (mediaapi.url_previews), beyond what every media route has. */
export interface UrlPreviewOptions {
  /** deny_networks / allow_networks: where fetches may connect. */
  readonly networks: NetworkPolicy;
  /** Tests shorten the fetch deadline; FETCH_TIMEOUT_MS otherwise. */
  readonly timeoutMs?: number;
}

export interface UrlPreviewDeps extends UrlPreviewOptions {
  store: MediaStore;
  files: FileStore;
  serverName: string;
  /** Images larger than this (the upload limit) are left out. */
  maxFileSizeBytes: number;
  now(): number;
}

export async function urlPreview(deps: UrlPreviewDeps, url: URL, at: number | undefined, userId: string): Promise<PreviewJson> {
  const key = url.toString();
  const cached = await deps.store.urlPreviews.getPreview(key, at ?? deps.now(), PREVIEW_FRESH_MS);
  if (cached !== undefined) return cached;
  const fetchedTs = deps.now();
  const preview = await makePreview(deps, url, userId);
  await deps.store.urlPreviews.insertPreview(key, fetchedTs, preview);
  return preview;
}

function fetchOptions(deps: UrlPreviewDeps, maxBytes: number): FetchOptions {
  return {
    networks: deps.networks,
    userAgent: `dendrite-ts URL preview (${deps.serverName})`,
    timeoutMs: deps.timeoutMs ?? FETCH_TIMEOUT_MS,
    maxBytes,
    maxRedirects: MAX_REDIRECTS,
  };
}

async function makePreview(deps: UrlPreviewDeps, url: URL, userId: string): Promise<PreviewJson> {
  const page = await fetchUrl(url, fetchOptions(deps, MAX_PAGE_BYTES));
  if (page.mediaType.startsWith("image/")) {
    if (page.body.length > deps.maxFileSizeBytes) throw new FetchError("too-large", `the image is larger than ${deps.maxFileSizeBytes} bytes`);
    return (await storeImage(deps, page, userId)) ?? {};
  }
  if (page.mediaType !== "text/html" && page.mediaType !== "application/xhtml+xml") return {};
  const og: PreviewJson = parseOpenGraph(decodeHtml(page.body, page.charset));
  const imageUrl = og["og:image"];
  // The page's own image keys describe its URL, not what we store: ours replace them.
  for (const k of Object.keys(og)) if (k === "og:image" || k.startsWith("og:image:")) delete og[k];
  if (typeof imageUrl === "string") Object.assign(og, await pageImage(deps, imageUrl, page.url, userId));
  return og;
}

/** The page's og:image, fetched and stored; nothing when it cannot be had (the page still previews). */
async function pageImage(deps: UrlPreviewDeps, imageUrl: string, pageUrl: string, userId: string): Promise<PreviewJson> {
  let url: URL;
  try {
    url = new URL(imageUrl, pageUrl);
  } catch {
    return {};
  }
  try {
    const image = await fetchUrl(url, fetchOptions(deps, deps.maxFileSizeBytes));
    return (await storeImage(deps, image, userId)) ?? {};
  } catch (e) {
    if (e instanceof FetchError) return {};
    throw e;
  }
}

/** Stores fetched bytes that are a JPEG/PNG/GIF/WebP image (by their decoded format) as our media. */
async function storeImage(deps: UrlPreviewDeps, image: FetchedUrl, userId: string): Promise<PreviewJson | undefined> {
  let info;
  try {
    info = await readImageInfo(image.body);
  } catch (e) {
    if (e instanceof NotThumbnailableError || e instanceof ImageTooLargeError) return undefined;
    throw e;
  }
  const file = await deps.files.write(Readable.from([image.body]), deps.maxFileSizeBytes);
  const uploadName = fileNameOf(image.url);
  for (;;) {
    const mediaId = newMediaId();
    const inserted = await deps.store.media.insertUploaded({
      origin: deps.serverName,
      mediaId,
      uploader: userId,
      createdTs: deps.now(),
      contentType: info.contentType,
      uploadName,
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
    });
    if (inserted) {
      return {
        "og:image": mxcUri(deps.serverName, mediaId),
        "og:image:type": info.contentType,
        "og:image:width": info.width,
        "og:image:height": info.height,
        "matrix:image:size": file.sizeBytes,
      };
    }
  }
}

/** The last path segment of the image's URL, as its upload name (none when empty or undecodable). */
function fileNameOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "").slice(0, 255) || undefined;
  } catch {
    return undefined;
  }
}
