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

export const outbox = outboxTable(keyserver);
