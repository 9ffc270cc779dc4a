/**
 * The `mediaapi` schema's migrations, applied in order on start. Never edit one that has
 * shipped: add the next.
 */
import type { Migration } from "@dendrite-ts/runtime";

export const MEDIAAPI_SCHEMA = "mediaapi";

export const mediaapiMigrations: readonly Migration[] = [
  {
    id: "0001_media",
    sql: `
-- One row per mxc:// URI. The bytes live on disk under base_path, named by their sha256: the same
-- content uploaded twice is one file. sha256 NULL: created by POST /media/v1/create and not
-- uploaded yet (content_type, size_bytes and upload_name come with the upload).
CREATE TABLE mediaapi.media (
  origin TEXT NOT NULL,
  media_id TEXT NOT NULL,
  content_type TEXT,
  upload_name TEXT,
  size_bytes BIGINT,
  sha256 TEXT,
  uploader TEXT NOT NULL,
  created_ts BIGINT NOT NULL,
  unused_expires_ts BIGINT,
  PRIMARY KEY (origin, media_id)
);
-- A user's pending (created, not uploaded) media IDs are counted on every create.
CREATE INDEX media_pending_by_uploader ON mediaapi.media (uploader) WHERE sha256 IS NULL;
-- Which rows use a file (for a future purge of unused files).
CREATE INDEX media_by_sha256 ON mediaapi.media (sha256) WHERE sha256 IS NOT NULL;
`,
  },
  {
    id: "0002_thumbnails",
    sql: `
-- The thumbnails made of a stored image, one per size asked of the thumbnailer (a standard size,
-- or the image's own for a still copy of an animated one); made on first request, then reused.
-- Their bytes are files like the originals', named by their sha256. width/height: what came out.
CREATE TABLE mediaapi.thumbnails (
  origin TEXT NOT NULL,
  media_id TEXT NOT NULL,
  target_width INTEGER NOT NULL,
  target_height INTEGER NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('crop', 'scale')),
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  created_ts BIGINT NOT NULL,
  PRIMARY KEY (origin, media_id, target_width, target_height, method),
  FOREIGN KEY (origin, media_id) REFERENCES mediaapi.media (origin, media_id) ON DELETE CASCADE
);
-- Which rows use a file (for a future purge of unused files).
CREATE INDEX thumbnails_by_sha256 ON mediaapi.thumbnails (sha256);
`,
  },
  {
    id: "0003_url_previews",
    sql: `
-- GET /preview_url answers, one per URL and fetch (og: the JSON answered, its og:image an mxc://
-- URI of media stored in mediaapi.media). Reused while fresh; a request's ts picks the one that
-- was fresh then. Failed fetches are not kept.
CREATE TABLE mediaapi.url_previews (
  url TEXT NOT NULL,
  fetched_ts BIGINT NOT NULL,
  og JSONB NOT NULL,
  PRIMARY KEY (url, fetched_ts)
);
`,
  },
];
