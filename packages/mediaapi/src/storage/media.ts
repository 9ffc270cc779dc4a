/**
 * The media table's queries (raw postgres.js statements). A row is one mxc:// URI: stored
 * content, or a media ID created for an upload still to come.
 */
import type { Sql } from "@dendrite-ts/runtime";

export interface StoredMedia {
  readonly origin: string;
  readonly mediaId: string;
  readonly uploader: string;
  readonly createdTs: number;
  /** Absent until the content is uploaded (a media ID from POST /create). */
  readonly content?: {
    readonly contentType: string;
    readonly uploadName: string | undefined;
    readonly sizeBytes: number;
    readonly sha256: string;
  };
  /** Created and not uploaded: when the media ID stops accepting an upload. */
  readonly unusedExpiresTs: number | undefined;
}

export interface NewContent {
  readonly contentType: string;
  readonly uploadName: string | undefined;
  readonly sizeBytes: number;
  readonly sha256: string;
}

interface Row {
  origin: string;
  media_id: string;
  uploader: string;
  created_ts: string;
  content_type: string | null;
  upload_name: string | null;
  size_bytes: string | null;
  sha256: string | null;
  unused_expires_ts: string | null;
}

function fromRow(r: Row): StoredMedia {
  return {
    origin: r.origin,
    mediaId: r.media_id,
    uploader: r.uploader,
    createdTs: Number(r.created_ts),
    unusedExpiresTs: r.unused_expires_ts === null ? undefined : Number(r.unused_expires_ts),
    ...(r.sha256 !== null
      ? {
          content: {
            contentType: r.content_type ?? "application/octet-stream",
            uploadName: r.upload_name ?? undefined,
            sizeBytes: Number(r.size_bytes),
            sha256: r.sha256,
          },
        }
      : {}),
  };
}

export async function getMedia(sql: Sql, origin: string, mediaId: string): Promise<StoredMedia | undefined> {
  const rows = await sql<Row[]>`
    SELECT origin, media_id, uploader, created_ts, content_type, upload_name, size_bytes, sha256, unused_expires_ts
    FROM mediaapi.media WHERE origin = ${origin} AND media_id = ${mediaId}`;
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** An uploaded file under a new media ID. False when the ID is taken (the caller draws another). */
export async function insertUploaded(
  sql: Sql,
  m: { origin: string; mediaId: string; uploader: string; createdTs: number } & NewContent,
): Promise<boolean> {
  const rows = await sql`
    INSERT INTO mediaapi.media (origin, media_id, content_type, upload_name, size_bytes, sha256, uploader, created_ts)
    VALUES (${m.origin}, ${m.mediaId}, ${m.contentType}, ${m.uploadName ?? null}, ${m.sizeBytes}, ${m.sha256}, ${m.uploader}, ${m.createdTs})
    ON CONFLICT DO NOTHING RETURNING 1`;
  return rows.length === 1;
}

/** A media ID reserved for a later upload (POST /create). False when the ID is taken. */
export async function insertPending(
  sql: Sql,
  m: { origin: string; mediaId: string; uploader: string; createdTs: number; unusedExpiresTs: number },
): Promise<boolean> {
  const rows = await sql`
    INSERT INTO mediaapi.media (origin, media_id, uploader, created_ts, unused_expires_ts)
    VALUES (${m.origin}, ${m.mediaId}, ${m.uploader}, ${m.createdTs}, ${m.unusedExpiresTs})
    ON CONFLICT DO NOTHING RETURNING 1`;
  return rows.length === 1;
}

/** The user's media IDs created and neither uploaded nor expired at `now`. */
export async function countPending(sql: Sql, uploader: string, now: number): Promise<number> {
  const rows = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM mediaapi.media
    WHERE uploader = ${uploader} AND sha256 IS NULL AND unused_expires_ts > ${now}`;
  return rows[0]?.n ?? 0;
}

/**
 * Fills a pending media ID with its content. False when it was filled meanwhile (two uploads
 * racing: the first wins) or has expired.
 */
export async function fillPending(sql: Sql, origin: string, mediaId: string, now: number, content: NewContent): Promise<boolean> {
  const rows = await sql`
    UPDATE mediaapi.media
    SET content_type = ${content.contentType}, upload_name = ${content.uploadName ?? null},
        size_bytes = ${content.sizeBytes}, sha256 = ${content.sha256}, unused_expires_ts = NULL
    WHERE origin = ${origin} AND media_id = ${mediaId} AND sha256 IS NULL AND unused_expires_ts > ${now}
    RETURNING 1`;
  return rows.length === 1;
}
