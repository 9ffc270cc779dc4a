// Queries on userapi.shared_secret_nonces.
import { and, eq, gte, lt } from "drizzle-orm";
import type { Db } from "./db";
import { sharedSecretNonces } from "./schema";

export function sharedSecretNonceQueries(db: Db) {
  return {
    async insert(nonce: string, createdTs: number): Promise<void> {
      await db.insert(sharedSecretNonces).values({ nonce, createdTs });
    },

    /** Deletes the nonce and says whether it existed and was issued at or after `liveSince`:
     *  one statement, so two requests cannot both spend it. */
    async consume(nonce: string, liveSince: number): Promise<boolean> {
      const r = await db
        .delete(sharedSecretNonces)
        .where(and(eq(sharedSecretNonces.nonce, nonce), gte(sharedSecretNonces.createdTs, liveSince)))
        .returning({ n: sharedSecretNonces.nonce });
      return r.length === 1;
    },

    async deleteOlderThan(ts: number): Promise<void> {
      await db.delete(sharedSecretNonces).where(lt(sharedSecretNonces.createdTs, ts));
    },
  };
}
