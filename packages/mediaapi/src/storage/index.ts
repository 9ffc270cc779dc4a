/** The mediaapi's storage: media metadata in PostgreSQL (the bytes are files: ../files). */
import type { Sql } from "@dendrite-ts/runtime";
import * as media from "./media";
import * as thumbnails from "./thumbnails";
import * as urlPreviews from "./url-previews";

export { MEDIAAPI_SCHEMA, mediaapiMigrations } from "./migrations";
export type { StoredMedia, NewContent } from "./media";
export type { StoredThumbnail } from "./thumbnails";

// Drops the leading `sql` parameter of every query function in a module.
type BoundSql<M> = {
  [K in keyof M]: M[K] extends (sql: Sql, ...args: infer A) => infer R ? (...args: A) => R : never;
};

export interface MediaStore {
  media: BoundSql<typeof media>;
  thumbnails: BoundSql<typeof thumbnails>;
  urlPreviews: BoundSql<typeof urlPreviews>;
}

function bind<M extends object>(sql: Sql, module: M): BoundSql<M> {
  const bound: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(module)) {
    if (typeof v === "function") bound[k] = (...args: unknown[]) => (v as (...a: unknown[]) => unknown)(sql, ...args);
  }
  return bound as BoundSql<M>;
}

export function createMediaStore(sql: Sql): MediaStore {
  return { media: bind(sql, media), thumbnails: bind(sql, thumbnails), urlPreviews: bind(sql, urlPreviews) };
}
