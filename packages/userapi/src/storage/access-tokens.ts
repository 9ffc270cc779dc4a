// Queries on userapi.access_tokens. Only SHA-256 digests are stored; the look-up by digest is
// the hot path of every authenticated request: one primary-key probe joined to the account.
import { and, eq } from "drizzle-orm";
import type { Db } from "./db";
import { accessTokens, accounts } from "./schema";

export interface TokenOwner {
  localpart: string;
  deviceId: string;
  isAdmin: boolean;
  deactivated: boolean;
  accountType: string;
}

export function accessTokenQueries(db: Db) {
  return {
    async insert(row: { tokenSha256: Buffer; localpart: string; deviceId: string; createdTs: number }): Promise<void> {
      await db.insert(accessTokens).values(row);
    },

    async selectOwner(tokenSha256: Buffer): Promise<TokenOwner | undefined> {
      const [r] = await db
        .select({
          localpart: accessTokens.localpart,
          deviceId: accessTokens.deviceId,
          isAdmin: accounts.isAdmin,
          deactivated: accounts.deactivated,
          accountType: accounts.accountType,
        })
        .from(accessTokens)
        .innerJoin(accounts, eq(accounts.localpart, accessTokens.localpart))
        .where(eq(accessTokens.tokenSha256, tokenSha256));
      return r;
    },

    /** Revokes every token of one device (a re-login on a known device ID replaces them). */
    async deleteForDevice(localpart: string, deviceId: string): Promise<void> {
      await db.delete(accessTokens).where(and(eq(accessTokens.localpart, localpart), eq(accessTokens.deviceId, deviceId)));
    },
  };
}
