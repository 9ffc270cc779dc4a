/**
 * The thumbnails table's queries: one row per (media, size asked of the thumbnailer), pointing at
 * the thumbnail's content-addressed file.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { ThumbnailSize } from "../thumbnails/sizes";

export interface StoredThumbnail {
  readonly width: number;
  readonly height: number;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

interface Row {
  width: number;
  height: number;
  content_type: string;
  size_bytes: string;
  sha256: string;
}

export async function getThumbnail(sql: Sql, origin: string, mediaId: string, target: ThumbnailSize): Promise<StoredThumbnail | undefined> {
  const rows = await sql<Row[]>`
    SELECT width, height, content_type, size_bytes, sha256 FROM mediaapi.thumbnails
    WHERE origin = ${origin} AND media_id = ${mediaId}
      AND target_width = ${target.width} AND target_height = ${target.height} AND method = ${target.method}`;
  const r = rows[0];
  return r ? { width: r.width, height: r.height, contentType: r.content_type, sizeBytes: Number(r.size_bytes), sha256: r.sha256 } : undefined;
}

/**
 * Records a thumbnail made for `target`. Two processes making the same one at once: the first row
 * stays (both files hold a thumbnail of the same size; the other's file is simply unused).
 */
export async function insertThumbnail(
  sql: Sql,
  t: { origin: string; mediaId: string; target: ThumbnailSize; createdTs: number } & StoredThumbnail,
): Promise<void> {
  await sql`
    INSERT INTO mediaapi.thumbnails (origin, media_id, target_width, target_height, method, width, height, content_type, size_bytes, sha256, created_ts)
    VALUES (${t.origin}, ${t.mediaId}, ${t.target.width}, ${t.target.height}, ${t.target.method}, ${t.width}, ${t.height}, ${t.contentType}, ${t.sizeBytes}, ${t.sha256}, ${t.createdTs})
    ON CONFLICT DO NOTHING`;
}
