/** Queries on `roomserver.published`: which rooms our public room directory lists. */
import { asc, eq } from "drizzle-orm";
import type { Executor } from "./db";
import { published } from "./schema";

export interface PublishedQueries {
  setPublished(roomId: string, isPublished: boolean): Promise<void>;
  isPublished(roomId: string): Promise<boolean>;
  publishedRoomIds(): Promise<string[]>;
}

export function publishedQueries(db: Executor): PublishedQueries {
  return {
    async setPublished(roomId, isPublished) {
      await db.insert(published).values({ roomId, published: isPublished }).onConflictDoUpdate({ target: published.roomId, set: { published: isPublished } });
    },
    async isPublished(roomId) {
      const [row] = await db.select({ p: published.published }).from(published).where(eq(published.roomId, roomId));
      return row?.p ?? false;
    },
    async publishedRoomIds() {
      const rows = await db.select({ roomId: published.roomId }).from(published).where(eq(published.published, true)).orderBy(asc(published.roomId));
      return rows.map((r) => r.roomId);
    },
  };
}
