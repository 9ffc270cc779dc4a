/**
 * drizzle mirrors of the tables created in migrations.ts (the SQL there is the source of truth).
 * Only storage/ imports this file.
 */
import { bigint, bigserial, boolean, customType, integer, jsonb, pgSchema, primaryKey, text } from "drizzle-orm/pg-core";
import { outboxTable } from "@dendrite-ts/runtime";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export const userapi = pgSchema("userapi");

export const accounts = userapi.table("accounts", {
  /** The user ID's localpart on this server (the key every other table uses). */
  localpart: text("localpart").primaryKey(),
  /** `$scrypt$…` string with its parameters; null when password login is impossible (appservice; accounts deactivated while deactivation still dropped it). */
  passwordHash: text("password_hash"),
  /** Creation time, ms since the epoch. */
  createdTs: bigint("created_ts", { mode: "number" }).notNull(),
  /** Server administrator. */
  isAdmin: boolean("is_admin").notNull().default(false),
  /** Deactivated accounts keep their row so the localpart is never reissued. */
  deactivated: boolean("deactivated").notNull().default(false),
  /** Locked by an admin: every request but logout answers 401 M_USER_LOCKED; tokens stay. */
  locked: boolean("locked").notNull().default(false),
  /** Suspended by an admin: clientapi refuses the spec's set of actions with 403 M_USER_SUSPENDED. */
  suspended: boolean("suspended").notNull().default(false),
  /** `user`, `guest` or `appservice`. */
  accountType: text("account_type").notNull().default("user"),
  /** Free-form sub-type as Synapse's shared-secret registration carries it (`bot`, `support`); null for none. */
  userType: text("user_type"),
});

export const devices = userapi.table(
  "devices",
  {
    /** Owner. */
    localpart: text("localpart").notNull(),
    /** Client-chosen or generated device ID, unique per user. */
    deviceId: text("device_id").notNull(),
    /** Human-readable name shown in device lists. */
    displayName: text("display_name"),
    /** Creation time, ms. */
    createdTs: bigint("created_ts", { mode: "number" }).notNull(),
    /** Last request seen from this device, ms (updated at most now and then, not per request). */
    lastSeenTs: bigint("last_seen_ts", { mode: "number" }),
    /** IP address of that last request. */
    lastSeenIp: text("last_seen_ip"),
    /** User-Agent of that last request. */
    lastSeenUserAgent: text("last_seen_user_agent"),
  },
  (t) => [primaryKey({ columns: [t.localpart, t.deviceId] })],
);

export const accessTokens = userapi.table("access_tokens", {
  /** SHA-256 of the token: a database leak reveals no usable token. The hot-path key. */
  tokenSha256: bytea("token_sha256").primaryKey(),
  /** Owner. */
  localpart: text("localpart").notNull(),
  /** Device the token belongs to; deleting the device deletes its tokens (FK cascade). */
  deviceId: text("device_id").notNull(),
  /** Issue time, ms. */
  createdTs: bigint("created_ts", { mode: "number" }).notNull(),
});

export const profiles = userapi.table("profiles", {
  /** Owner. */
  localpart: text("localpart").primaryKey(),
  /** `displayname` profile field; null when unset. */
  displayname: text("displayname"),
  /** `avatar_url` profile field (an mxc:// URI); null when unset. */
  avatarUrl: text("avatar_url"),
  /** Every other profile field (`m.tz`, custom keys) → its JSON value. */
  custom: jsonb("custom").$type<Record<string, unknown>>().notNull().default({}),
});

export const accountData = userapi.table(
  "account_data",
  {
    /** Owner. */
    localpart: text("localpart").notNull(),
    /** Room the data belongs to; '' for global account data (keeps the key NOT NULL). */
    roomId: text("room_id").notNull().default(""),
    /** Event type, e.g. `m.push_rules`, `m.tag`. */
    type: text("type").notNull(),
    /** The event content as the client set it. */
    content: jsonb("content").$type<Record<string, unknown>>().notNull(),
    /** Position of the latest change, from the account_data_stream_pos sequence. */
    streamPos: bigint("stream_pos", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.localpart, t.roomId, t.type] })],
);

export const outbox = outboxTable(userapi);

export const registrationTokens = userapi.table("registration_tokens", {
  /** The opaque token (≤ 64 chars, [A-Za-z0-9._~-]). */
  token: text("token").primaryKey(),
  /** Total registrations allowed; null for unlimited. */
  usesAllowed: integer("uses_allowed"),
  /** Registrations completed with it. Pending ones are counted from uia_sessions. */
  completed: integer("completed").notNull().default(0),
  /** Expiry, ms; null for never. */
  expiryTs: bigint("expiry_ts", { mode: "number" }),
  /** Creation time, ms. */
  createdTs: bigint("created_ts", { mode: "number" }).notNull(),
});

export const uiaSessions = userapi.table("uia_sessions", {
  /** Opaque session ID handed to the client. */
  sessionId: text("session_id").primaryKey(),
  /** What the session authorises (`register`, `delete_devices`, …); a session never crosses purposes. */
  purpose: text("purpose").notNull(),
  /** The user the session is bound to; null for registration. */
  localpart: text("localpart"),
  /** Stage types completed so far, in order. */
  completed: jsonb("completed").$type<string[]>().notNull().default([]),
  /** Registration token spent by this session: counts as a pending use until the account exists. */
  registrationToken: text("registration_token"),
  /** Creation time, ms; sessions expire after a fixed lifetime. */
  createdTs: bigint("created_ts", { mode: "number" }).notNull(),
});

export const sharedSecretNonces = userapi.table("shared_secret_nonces", {
  /** Single-use nonce for shared-secret registration. */
  nonce: text("nonce").primaryKey(),
  /** Issue time, ms; nonces expire quickly. */
  createdTs: bigint("created_ts", { mode: "number" }).notNull(),
});

export const pushers = userapi.table(
  "pushers",
  {
    /** Owner. */
    localpart: text("localpart").notNull(),
    /** Reverse-DNS application ID (≤ 64 chars); with pushkey, the pusher's identity per user. */
    appId: text("app_id").notNull(),
    /** Routing token of the push provider, or the address for `email` (≤ 512 bytes). */
    pushkey: text("pushkey").notNull(),
    /** Device whose token set the pusher; deleting the device deletes it (FK cascade). */
    deviceId: text("device_id").notNull(),
    /** `http` or `email`. */
    kind: text("kind").notNull(),
    appDisplayName: text("app_display_name").notNull(),
    deviceDisplayName: text("device_display_name").notNull(),
    /** Which device-specific rules the pusher runs; null when the client sent none. */
    profileTag: text("profile_tag"),
    lang: text("lang").notNull(),
    /** The client's `data` object as sent (`url`, `format`, custom keys). */
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    /** Creation time of this row (replacing a pusher renews it), ms. */
    createdTs: bigint("created_ts", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.localpart, t.appId, t.pushkey] })],
);
