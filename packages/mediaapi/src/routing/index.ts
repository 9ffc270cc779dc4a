/**
 * Registers every public route of the mediaapi. They sit in their own fastify scope whose only
 * body parser hands the request stream through untouched: uploads are raw bytes of any type,
 * streamed to disk under the size limit (the server-wide JSON parser would buffer them as text
 * under a 1 MiB limit).
 */
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForAuth } from "@dendrite-ts/userapi";
import type { FileStore } from "../files/file-store";
import type { UrlPreviewOptions } from "../previews/url-preview";
import type { MediaStore } from "../storage";
import { registerConfigRoutes } from "./config";
import { registerCreateRoute } from "./create";
import { registerDownloadRoutes } from "./download";
import { registerPreviewUrlRoutes } from "./preview-url";
import { registerThumbnailRoutes } from "./thumbnail";
import { registerUploadRoutes } from "./upload";

export interface RoutingDeps {
  store: MediaStore;
  files: FileStore;
  userapi: UserapiForAuth;
  /** Our server name: the authority of the mxc:// URIs we hand out. */
  serverName: string;
  maxFileSizeBytes: number;
  now(): number;
  /** Set when URL previews are enabled: /preview_url is registered only then. */
  urlPreviews?: UrlPreviewOptions;
}

export function registerRoutes(server: HttpServer, deps: RoutingDeps): void {
  void server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // The body stays unread on req.raw; handlers that take one stream it themselves.
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null));
    // Answered before the body was read (refused as too large, no access token): the connection
    // closes after the answer, instead of the server reading up to the rest of a large upload.
    scope.addHook("onSend", (req, reply, payload, done) => {
      if (!req.raw.complete) void reply.header("connection", "close");
      done(null, payload);
    });
    registerUploadRoutes(scope, deps);
    registerCreateRoute(scope, deps);
    registerDownloadRoutes(scope, deps);
    registerThumbnailRoutes(scope, deps);
    registerConfigRoutes(scope, deps);
    if (deps.urlPreviews !== undefined) registerPreviewUrlRoutes(scope, deps, deps.urlPreviews);
  });
}
