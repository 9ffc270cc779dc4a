/** The url_previews table's queries: previews kept so a link is fetched once per freshness period. */
import type { Sql } from "@dendrite-ts/runtime";

/** A preview's JSON answer: OpenGraph keys, strings and (image sizes) numbers. */
export type PreviewJson = Record<string, string | number>;

/**
 * The preview of `url` for time `at`: the newest fetched at or before `at` that was still fresh
 * then (fetched within `freshMs`); failing that, the first fetched after `at` (the spec: a newer
 * version may stand in), so a client asking with an old message's ts does not refetch every time.
 */
export async function getPreview(sql: Sql, url: string, at: number, freshMs: number): Promise<PreviewJson | undefined> {
  const fresh = await sql<{ og: PreviewJson }[]>`
    SELECT og FROM mediaapi.url_previews
    WHERE url = ${url} AND fetched_ts <= ${at} AND fetched_ts > ${at - freshMs}
    ORDER BY fetched_ts DESC LIMIT 1`;
  if (fresh[0] !== undefined) return fresh[0].og;
  const newer = await sql<{ og: PreviewJson }[]>`
    SELECT og FROM mediaapi.url_previews WHERE url = ${url} AND fetched_ts > ${at} ORDER BY fetched_ts LIMIT 1`;
  return newer[0]?.og;
}

export async function insertPreview(sql: Sql, url: string, fetchedTs: number, og: PreviewJson): Promise<void> {
  await sql`
    INSERT INTO mediaapi.url_previews (url, fetched_ts, og) VALUES (${url}, ${fetchedTs}, ${JSON.stringify(og)}::jsonb)
    ON CONFLICT DO NOTHING`;
}
