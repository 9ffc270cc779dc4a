// Queries on keyserver.cross_signing_keys: a user's master, self-signing and user-signing keys,
// one of each, stored as uploaded.
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "./db";
import { crossSigningKeys } from "./schema";

export type CrossSigningUsage = "master" | "self_signing" | "user_signing";

export interface CrossSigningKeyRow {
  userId: string;
  usage: CrossSigningUsage;
  keyId: string;
  keyJson: string;
}

export function crossSigningKeyQueries(db: Db) {
  return {
    /** The user's keys, locked for the caller's transaction (an upload compares, then writes). */
    async selectForUpdate(userId: string): Promise<CrossSigningKeyRow[]> {
      const rows = await db
        .select({ userId: crossSigningKeys.userId, usage: crossSigningKeys.usage, keyId: crossSigningKeys.keyId, keyJson: crossSigningKeys.keyJson })
        .from(crossSigningKeys)
        .where(eq(crossSigningKeys.userId, userId))
        .for("update");
      return rows as CrossSigningKeyRow[];
    },

    async selectForUsers(userIds: string[], usages: CrossSigningUsage[]): Promise<CrossSigningKeyRow[]> {
      if (userIds.length === 0 || usages.length === 0) return [];
      const rows = await db
        .select({ userId: crossSigningKeys.userId, usage: crossSigningKeys.usage, keyId: crossSigningKeys.keyId, keyJson: crossSigningKeys.keyJson })
        .from(crossSigningKeys)
        .where(and(inArray(crossSigningKeys.userId, userIds), inArray(crossSigningKeys.usage, usages)));
      return rows as CrossSigningKeyRow[];
    },

    async upsert(row: CrossSigningKeyRow, now: number): Promise<void> {
      await db
        .insert(crossSigningKeys)
        .values({ ...row, updatedTs: now })
        .onConflictDoUpdate({
          target: [crossSigningKeys.userId, crossSigningKeys.usage],
          set: { keyId: row.keyId, keyJson: row.keyJson, updatedTs: now },
        });
    },
  };
}
