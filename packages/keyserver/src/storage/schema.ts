/**
 * drizzle mirrors of the tables created in migrations.ts (the SQL there is the source of truth).
 * Only storage/ imports this file.
 */
import { bigint, bigserial, boolean, jsonb, pgSchema, primaryKey, text } from "drizzle-orm/pg-core";
import { outboxTable } from "@dendrite-ts/runtime";

export const keyserver = pgSchema("keyserver");

export const deviceKeys = keyserver.table(
  "device_keys",
  {
    /** Owner (a local user). */
    userId: text("user_id").notNull(),
    deviceId: text("device_id").notNull(),
    /** The signed `device_keys` object as the device uploaded it: served as is, so its signature holds. */
    keyJson: text("key_json").notNull(),
    /** Last upload that changed it, ms since the epoch. */
    updatedTs: bigint("updated_ts", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deviceId] })],
);

export const oneTimeKeys = keyserver.table(
  "one_time_keys",
  {
    userId: text("user_id").notNull(),
    deviceId: text("device_id").notNull(),
    /** The part of `<algorithm>:<key_id>` before the colon, e.g. `signed_curve25519`. */
    algorithm: text("algorithm").notNull(),
    keyId: text("key_id").notNull(),
    /** The key as uploaded (a string or a signed key object), JSON; deleted when claimed. */
    keyJson: text("key_json").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deviceId, t.algorithm, t.keyId] })],
);

export const fallbackKeys = keyserver.table(
  "fallback_keys",
  {
    userId: text("user_id").notNull(),
    deviceId: text("device_id").notNull(),
    /** One fallback key per algorithm: a new upload replaces it. */
    algorithm: text("algorithm").notNull(),
    keyId: text("key_id").notNull(),
    keyJson: text("key_json").notNull(),
    /** Claimed at least once (it stays claimable); /sync leaves it out of the unused types. */
    used: boolean("used").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deviceId, t.algorithm] })],
);

export const crossSigningKeys = keyserver.table(
  "cross_signing_keys",
  {
    userId: text("user_id").notNull(),
    /** `master`, `self_signing` or `user_signing`: one key each, a new upload replaces it. */
    usage: text("usage").notNull(),
    /** The key's one `keys` entry name, `ed25519:<unpadded base64 public key>`. */
    keyId: text("key_id").notNull(),
    /** The key object as uploaded (its master signature covers it), served as is. */
    keyJson: text("key_json").notNull(),
    updatedTs: bigint("updated_ts", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.usage] })],
);

export const keySignatures = keyserver.table(
  "key_signatures",
  {
    signerUserId: text("signer_user_id").notNull(),
    /** `ed25519:<device ID>` or `ed25519:<cross-signing public key>`. */
    signerKeyId: text("signer_key_id").notNull(),
    targetUserId: text("target_user_id").notNull(),
    /** A device ID, or a cross-signing key's public key (as /keys/signatures/upload names them). */
    targetKeyId: text("target_key_id").notNull(),
    signature: text("signature").notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetUserId, t.targetKeyId, t.signerUserId, t.signerKeyId] })],
);

export const outbox = outboxTable(keyserver);
