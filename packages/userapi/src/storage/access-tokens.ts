// Queries on userapi.access_tokens. Only SHA-256 digests are stored; the look-up by digest is
// the hot path of every authenticated request: one primary-key probe joined to the account,
// as a prepared postgres.js statement when the pool's client is at hand (no query building).
import { and, eq } from "drizzle-orm";
import type { Sql } from "@dendrite-ts/runtime";
import type { Db } from "./db";
import { accessTokens, accounts } from "./schema";

export interface TokenOwner {
  localpart: string;
  deviceId: string;
  isAdmin: boolean;
  deactivated: boolean;
  locked: boolean;
  suspended: boolean;
  accountType: string;
}

interface OwnerRow {
  localpart: string;
  device_id: string;
  is_admin: boolean;
  deactivated: boolean;
  locked: boolean;
  suspended: boolean;
  account_type: string;
}

/** `raw`: the postgres.js client of the same pool (not given for a transaction's queries). */
export function accessTokenQueries(db: Db, raw?: Sql) {
  return {
    async insert(row: { tokenSha256: Buffer; localpart: string; deviceId: string; createdTs: number }): Promise<void> {
      await db.insert(accessTokens).values(row);
    },

    async selectOwner(tokenSha256: Buffer): Promise<TokenOwner | undefined> {
      if (raw) {
        const [r] = await raw<OwnerRow[]>`
          SELECT t.localpart, t.device_id, a.is_admin, a.deactivated, a.locked, a.suspended, a.account_type
          FROM userapi.access_tokens t JOIN userapi.accounts a ON a.localpart = t.localpart
          WHERE t.token_sha256 = ${tokenSha256}`;
        return r && { localpart: r.localpart, deviceId: r.device_id, isAdmin: r.is_admin, deactivated: r.deactivated,
          locked: r.locked, suspended: r.suspended, accountType: r.account_type };
      }
      const [r] = await db
        .select({
          localpart: accessTokens.localpart,
          deviceId: accessTokens.deviceId,
          isAdmin: accounts.isAdmin,
          deactivated: accounts.deactivated,
          locked: accounts.locked,
          suspended: accounts.suspended,
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
