// @dendrite-ts/mediaapi: the content repository — upload, download, thumbnails, config. Named exports only.
export { createMediaapi, type Mediaapi, type MediaapiDeps } from "./mediaapi";
export { MEDIAAPI_SCHEMA, mediaapiMigrations } from "./storage";
export { contentDisposition, INLINE_CONTENT_TYPES } from "./routing/content-disposition";
export { MEDIA_CONTENT_SECURITY_POLICY } from "./routing/download";
export { MAX_PENDING_UPLOADS, UNUSED_MEDIA_ID_LIFETIME_MS } from "./routing/create";
