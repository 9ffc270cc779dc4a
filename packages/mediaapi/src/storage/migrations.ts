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
];
