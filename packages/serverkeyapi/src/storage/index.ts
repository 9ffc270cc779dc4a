/**
 * The serverkeyapi's storage, behind one interface: remote keys by (server, key ID) and the
 * newest verified key response per server. Only this folder touches SQL.
 */
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { serverKeyResponses, serverKeys } from "./schema";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Executor = PgDatabase<PgQueryResultHKT, any, any>;

export interface StoredServerKey {
  serverName: string;
  keyId: string;
  /** Unpadded base64. */
  publicKey: string;
  validUntilTs: number;
  expiredTs: number | null;
  fetchedFrom: string;
  fetchedTs: number;
}

export interface StoredKeyResponse {
  serverName: string;
  /** The response JSON text, origin signatures only. */
  response: string;
  validUntilTs: number;
  fetchedFrom: string;
  fetchedTs: number;
}

export interface ServerKeyStore {
  /** The stored keys among `wanted` (missing ones are simply absent). */
  getKeys(wanted: readonly { serverName: string; keyId: string }[]): Promise<StoredServerKey[]>;
  /** The stored responses for these servers. */
  getResponses(serverNames: readonly string[]): Promise<StoredKeyResponse[]>;
  /** Store a verified response and the keys it lists, together. */
  storeResponse(response: StoredKeyResponse, keys: readonly StoredServerKey[]): Promise<void>;
}

export function createServerKeyStore(db: Executor): ServerKeyStore {
  return {
    async getKeys(wanted) {
      if (wanted.length === 0) return [];
      const rows = await db
        .select()
        .from(serverKeys)
        .where(or(...wanted.map((w) => and(eq(serverKeys.serverName, w.serverName), eq(serverKeys.keyId, w.keyId)))));
      return rows;
    },

    async getResponses(serverNames) {
      if (serverNames.length === 0) return [];
      return db.select().from(serverKeyResponses).where(inArray(serverKeyResponses.serverName, [...serverNames]));
    },

    async storeResponse(response, keys) {
      await db.transaction(async (tx) => {
        // Never replace a response with an older one (a notary may hand us a stale cache).
        await tx
          .insert(serverKeyResponses)
          .values(response)
          .onConflictDoUpdate({
            target: serverKeyResponses.serverName,
            set: {
              response: sql`excluded.response`,
              validUntilTs: sql`excluded.valid_until_ts`,
              fetchedFrom: sql`excluded.fetched_from`,
              fetchedTs: sql`excluded.fetched_ts`,
            },
            setWhere: sql`excluded.valid_until_ts >= ${serverKeyResponses.validUntilTs}`,
          });
        if (keys.length === 0) return;
        // A key moving to old_verify_keys (expired_ts set) always wins; otherwise newer validity wins.
        await tx
          .insert(serverKeys)
          .values([...keys])
          .onConflictDoUpdate({
            target: [serverKeys.serverName, serverKeys.keyId],
            set: {
              publicKey: sql`excluded.public_key`,
              validUntilTs: sql`excluded.valid_until_ts`,
              expiredTs: sql`excluded.expired_ts`,
              fetchedFrom: sql`excluded.fetched_from`,
              fetchedTs: sql`excluded.fetched_ts`,
            },
            setWhere: sql`excluded.expired_ts IS NOT NULL OR (${serverKeys.expiredTs} IS NULL AND excluded.valid_until_ts >= ${serverKeys.validUntilTs})`,
          });
      });
    },
  };
}
