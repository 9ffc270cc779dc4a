/**
 * GET /_matrix/client/v1/media/preview_url and the deprecated /_matrix/media/v3/preview_url (both
 * need an access token, per the spec): `url` (required, http or https) and `ts` (the preferred
 * point in time) → the URL's OpenGraph data (previews/url-preview.ts). Registered only when
 * mediaapi.url_previews.enabled: otherwise the routes are unknown (404 M_UNRECOGNIZED), as in
 * Synapse. A URL that cannot be fetched never makes a 500: a denied address → 403 M_FORBIDDEN;
 * unreachable, timed out, a non-2xx answer or too many redirects → 502 M_UNKNOWN (Synapse's "Failed
 * to download content"); larger than the limits → 502 M_TOO_LARGE.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { FastifyRequest } from "fastify";
import { FetchError, isFetchableUrl } from "../previews/fetch-url";
import { urlPreview, type UrlPreviewDeps, type UrlPreviewOptions } from "../previews/url-preview";
import type { PreviewJson } from "../storage/url-previews";
import { authenticate, CLIENT_MEDIA_PREFIX, MEDIA_PREFIXES, queryString } from "./common";
import type { RoutingDeps } from "./index";

export function registerPreviewUrlRoutes(server: HttpServer, deps: RoutingDeps, previews: UrlPreviewOptions): void {
  const all: UrlPreviewDeps = { ...deps, ...previews };
  for (const prefix of [CLIENT_MEDIA_PREFIX, ...MEDIA_PREFIXES]) {
    server.get(`${prefix}/preview_url`, (req) => previewUrl(req, deps, all));
  }
}

async function previewUrl(req: FastifyRequest, deps: RoutingDeps, previews: UrlPreviewDeps): Promise<PreviewJson> {
  const userId = await authenticate(req, deps.userapi);
  const raw = queryString(req.query, "url");
  if (raw === undefined) throw new MatrixError("M_MISSING_PARAM", "url is required");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MatrixError("M_INVALID_PARAM", "url is not a URL");
  }
  if (!isFetchableUrl(url)) throw new MatrixError("M_INVALID_PARAM", "url must be an http or https URL, without credentials");
  url.hash = ""; // never sent to the server: the same page
  const tsRaw = queryString(req.query, "ts");
  if (tsRaw !== undefined && !/^\d{1,16}$/.test(tsRaw)) throw new MatrixError("M_INVALID_PARAM", "ts must be a timestamp in milliseconds");
  try {
    return await urlPreview(previews, url, tsRaw === undefined ? undefined : Number(tsRaw), userId);
  } catch (e) {
    if (!(e instanceof FetchError)) throw e;
    if (e.kind === "denied") throw new MatrixError("M_FORBIDDEN", `URL previews may not fetch this address: ${e.message}`);
    if (e.kind === "too-large") throw new MatrixError("M_TOO_LARGE", `Failed to download content: ${e.message}`, {}, 502);
    throw new MatrixError("M_UNKNOWN", `Failed to download content: ${e.message}`, {}, 502);
  }
}
