/** Queries on `roomserver.room_aliases`: local aliases → room IDs. */
import { eq } from "drizzle-orm";
import type { Executor } from "./db";
import { roomAliases } from "./schema";

export interface AliasQueries {
  /** False if the alias is taken. */
  insertAlias(alias: string, roomId: string, creatorId: string): Promise<boolean>;
  resolveAlias(alias: string): Promise<{ roomId: string; creatorId: string } | undefined>;
  aliasesForRoom(roomId: string): Promise<string[]>;
  /** False if there was no such alias. */
  deleteAlias(alias: string): Promise<boolean>;
}

export function aliasQueries(db: Executor): AliasQueries {
  return {
    async insertAlias(alias, roomId, creatorId) {
      const r = await db.insert(roomAliases).values({ alias, roomId, creatorId }).onConflictDoNothing().returning();
      return r.length > 0;
    },
    async resolveAlias(alias) {
      const [row] = await db
        .select({ roomId: roomAliases.roomId, creatorId: roomAliases.creatorId })
        .from(roomAliases)
        .where(eq(roomAliases.alias, alias));
      return row;
    },
    async aliasesForRoom(roomId) {
      const rows = await db.select({ alias: roomAliases.alias }).from(roomAliases).where(eq(roomAliases.roomId, roomId));
      return rows.map((r) => r.alias).sort();
    },
    async deleteAlias(alias) {
      const r = await db.delete(roomAliases).where(eq(roomAliases.alias, alias)).returning();
      return r.length > 0;
    },
  };
}
