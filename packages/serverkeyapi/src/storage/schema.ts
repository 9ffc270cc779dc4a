/**
 * drizzle mirrors of the tables created in migrations.ts (the SQL there is the source of truth).
 * Only storage/ imports this file.
 */
import { bigint, pgSchema, primaryKey, text } from "drizzle-orm/pg-core";

export const serverkeyapi = pgSchema("serverkeyapi");

/** One row per remote (server, key): what the key ring verifies signatures with. */
export const serverKeys = serverkeyapi.table(
  "server_keys",
  {
    /** The server that owns the key. */
    serverName: text("server_name").notNull(),
    /** `ed25519:<version>`. */
    keyId: text("key_id").notNull(),
    /** Unpadded base64 of the 32-byte ed25519 public key. */
    publicKey: text("public_key").notNull(),
    /** The response's `valid_until_ts`, capped at fetch time + 7 days (spec: "the lesser of"). */
    validUntilTs: bigint("valid_until_ts", { mode: "number" }).notNull(),
    /** Set for keys listed under `old_verify_keys`: valid for events before this instant only. */
    expiredTs: bigint("expired_ts", { mode: "number" }),
    /** Who we got it from: the server itself or the notary that vouched for it. */
    fetchedFrom: text("fetched_from").notNull(),
    /** When we fetched it, ms. */
    fetchedTs: bigint("fetched_ts", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.serverName, t.keyId] })],
);

/** The newest verified `/key/v2/server` response per server, kept verbatim to serve as a notary. */
export const serverKeyResponses = serverkeyapi.table("server_key_responses", {
  /** The server the response describes. */
  serverName: text("server_name").primaryKey(),
  /** The response JSON as received, with only the origin's own signatures kept. */
  response: text("response").notNull(),
  /** The response's own `valid_until_ts` (uncapped: a notary passes on what the origin said). */
  validUntilTs: bigint("valid_until_ts", { mode: "number" }).notNull(),
  /** The server itself or the notary it came through. */
  fetchedFrom: text("fetched_from").notNull(),
  /** When we fetched it, ms. */
  fetchedTs: bigint("fetched_ts", { mode: "number" }).notNull(),
});
