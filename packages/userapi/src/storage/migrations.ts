/**
 * The `userapi` schema, as ordered migrations. Applied on start by `applyMigrations`;
 * never edit a migration that has shipped — add the next one.
 */
export interface Migration {
  id: string;
  sql: string;
}

const initial = /* sql */ `
CREATE SCHEMA IF NOT EXISTS userapi;

CREATE TABLE userapi.accounts (
  localpart     text PRIMARY KEY,
  password_hash text,
  created_ts    bigint  NOT NULL,
  is_admin      boolean NOT NULL DEFAULT false,
  deactivated   boolean NOT NULL DEFAULT false,
  account_type  text    NOT NULL DEFAULT 'user' CHECK (account_type IN ('user', 'guest', 'appservice')),
  user_type     text
);

CREATE TABLE userapi.devices (
  localpart            text   NOT NULL REFERENCES userapi.accounts (localpart) ON DELETE CASCADE,
  device_id            text   NOT NULL,
  display_name         text,
  created_ts           bigint NOT NULL,
  last_seen_ts         bigint,
  last_seen_ip         text,
  last_seen_user_agent text,
  PRIMARY KEY (localpart, device_id)
);

CREATE TABLE userapi.access_tokens (
  token_sha256 bytea  PRIMARY KEY,
  localpart    text   NOT NULL,
  device_id    text   NOT NULL,
  created_ts   bigint NOT NULL,
  FOREIGN KEY (localpart, device_id) REFERENCES userapi.devices (localpart, device_id) ON DELETE CASCADE
);
CREATE INDEX access_tokens_device_idx ON userapi.access_tokens (localpart, device_id);

CREATE TABLE userapi.profiles (
  localpart   text PRIMARY KEY REFERENCES userapi.accounts (localpart) ON DELETE CASCADE,
  displayname text,
  avatar_url  text
);

CREATE SEQUENCE userapi.account_data_stream_pos;

CREATE TABLE userapi.account_data (
  localpart  text   NOT NULL REFERENCES userapi.accounts (localpart) ON DELETE CASCADE,
  room_id    text   NOT NULL DEFAULT '',
  type       text   NOT NULL,
  content    jsonb  NOT NULL,
  stream_pos bigint NOT NULL,
  PRIMARY KEY (localpart, room_id, type)
);
CREATE INDEX account_data_stream_idx ON userapi.account_data (localpart, stream_pos);

CREATE TABLE userapi.outbox (
  id      bigserial PRIMARY KEY,
  subject text  NOT NULL,
  msg_id  text  NOT NULL UNIQUE,
  payload jsonb NOT NULL
);

CREATE TABLE userapi.registration_tokens (
  token        text PRIMARY KEY,
  uses_allowed integer CHECK (uses_allowed IS NULL OR uses_allowed >= 0),
  completed    integer NOT NULL DEFAULT 0,
  expiry_ts    bigint,
  created_ts   bigint  NOT NULL
);

CREATE TABLE userapi.uia_sessions (
  session_id         text PRIMARY KEY,
  purpose            text   NOT NULL,
  localpart          text,
  completed          jsonb  NOT NULL DEFAULT '[]',
  registration_token text REFERENCES userapi.registration_tokens (token) ON DELETE SET NULL,
  created_ts         bigint NOT NULL
);
CREATE INDEX uia_sessions_token_idx ON userapi.uia_sessions (registration_token)
  WHERE registration_token IS NOT NULL;
CREATE INDEX uia_sessions_created_idx ON userapi.uia_sessions (created_ts);

CREATE TABLE userapi.shared_secret_nonces (
  nonce      text PRIMARY KEY,
  created_ts bigint NOT NULL
);
`;

/** Extended profile fields (client-server v1.16): every key but displayname and avatar_url. */
const profileCustomFields = /* sql */ `
ALTER TABLE userapi.profiles ADD COLUMN custom jsonb NOT NULL DEFAULT '{}';
`;

/**
 * Account moderation (client-server v1.12 locking, v1.13 suspension): reversible flags an admin
 * sets, unlike `deactivated`.
 */
const accountModeration = /* sql */ `
ALTER TABLE userapi.accounts
  ADD COLUMN locked    boolean NOT NULL DEFAULT false,
  ADD COLUMN suspended boolean NOT NULL DEFAULT false;
`;

/**
 * Notifications (client-server "Push Notifications"): push rule outcomes per local user, the
 * unread counts /sync shows, and how far each user has read. Positions order a room's events as
 * userapi processed them (per-room order is the room stream's), so "after the receipt" is a
 * comparison.
 */
const notifications = /* sql */ `
CREATE SEQUENCE userapi.push_event_pos;

-- Every timeline event processed, so a receipt (or a user's own event) can be placed in order;
-- processing an event twice finds its row and does nothing.
CREATE TABLE userapi.push_events (
  event_id text   PRIMARY KEY,
  room_id  text   NOT NULL,
  pos      bigint NOT NULL
);

-- One row per (user, event) the user's push rules said notifies.
CREATE TABLE userapi.notifications (
  localpart text    NOT NULL,
  room_id   text    NOT NULL,
  event_id  text    NOT NULL,
  pos       bigint  NOT NULL,
  thread_id text    NOT NULL,
  ts        bigint  NOT NULL,
  highlight boolean NOT NULL,
  actions   jsonb   NOT NULL,
  PRIMARY KEY (localpart, event_id)
);
CREATE INDEX notifications_room_idx ON userapi.notifications (localpart, room_id, pos);
CREATE INDEX notifications_user_idx ON userapi.notifications (localpart, pos);

-- How far each user has read: thread_id '' is the unthreaded receipt (every thread), else
-- 'main' or a thread root. The greatest position of m.read, m.read.private and own events.
CREATE TABLE userapi.read_positions (
  localpart text   NOT NULL,
  room_id   text   NOT NULL,
  thread_id text   NOT NULL,
  pos       bigint NOT NULL,
  event_id  text   NOT NULL,
  PRIMARY KEY (localpart, room_id, thread_id)
);

-- Receipts for events not processed yet (the receipt overtook its event): applied when it comes.
CREATE TABLE userapi.pending_receipts (
  localpart text NOT NULL,
  room_id   text NOT NULL,
  thread_id text NOT NULL,
  event_id  text NOT NULL,
  PRIMARY KEY (localpart, room_id, thread_id, event_id)
);
CREATE INDEX pending_receipts_event_idx ON userapi.pending_receipts (room_id, event_id);

CREATE SEQUENCE userapi.notification_count_pos;

-- The counts /sync shows, kept as notifications arrive and recomputed when a receipt moves.
CREATE TABLE userapi.unread_counts (
  localpart          text   NOT NULL,
  room_id            text   NOT NULL,
  notification_count bigint NOT NULL,
  highlight_count    bigint NOT NULL,
  stream_pos         bigint NOT NULL,
  PRIMARY KEY (localpart, room_id)
);
`;

/**
 * Server-side key backups (client-server "Server-side key backups"): a user's backup versions,
 * numbered per user and never reused (a deleted one keeps its row, so deleting it again
 * succeeds), and the encrypted room keys stored in each.
 */
const keyBackups = /* sql */ `
CREATE TABLE userapi.key_backup_versions (
  localpart text    NOT NULL,
  version   bigint  NOT NULL,
  algorithm text    NOT NULL,
  auth_data jsonb   NOT NULL,
  -- Bumped whenever the version's keys change; the API's etag is its decimal string.
  etag      bigint  NOT NULL DEFAULT 0,
  deleted   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (localpart, version)
);

CREATE TABLE userapi.key_backup_keys (
  localpart           text    NOT NULL,
  version             bigint  NOT NULL,
  room_id             text    NOT NULL,
  session_id          text    NOT NULL,
  first_message_index bigint  NOT NULL,
  forwarded_count     bigint  NOT NULL,
  is_verified         boolean NOT NULL,
  session_data        jsonb   NOT NULL,
  PRIMARY KEY (localpart, version, room_id, session_id),
  FOREIGN KEY (localpart, version) REFERENCES userapi.key_backup_versions (localpart, version) ON DELETE CASCADE
);
`;

/**
 * Key backups belong to keyserver (its 0003_key_backups); 0005 created them here first. No
 * release ever shipped with data in these tables, so they are dropped, not copied over.
 */
const dropKeyBackups = /* sql */ `
DROP TABLE IF EXISTS userapi.key_backup_keys;
DROP TABLE IF EXISTS userapi.key_backup_versions;
`;

/**
 * Pushers (client-server "Push Notifications"): one per (user, app_id, pushkey), the spec's
 * identity for /pushers/set. Each belongs to the device whose token made it, so deleting or
 * logging out that device (or deactivating the account) removes it in the same statement.
 * (app_id, pushkey) is indexed for `append: false`, which drops other users' copies.
 */
const pushers = /* sql */ `
CREATE TABLE userapi.pushers (
  localpart           text   NOT NULL,
  app_id              text   NOT NULL,
  pushkey             text   NOT NULL,
  device_id           text   NOT NULL,
  kind                text   NOT NULL,
  app_display_name    text   NOT NULL,
  device_display_name text   NOT NULL,
  profile_tag         text,
  lang                text   NOT NULL,
  data                jsonb  NOT NULL,
  created_ts          bigint NOT NULL,
  PRIMARY KEY (localpart, app_id, pushkey),
  FOREIGN KEY (localpart, device_id) REFERENCES userapi.devices (localpart, device_id) ON DELETE CASCADE
);
CREATE INDEX pushers_app_pushkey_idx ON userapi.pushers (app_id, pushkey);
CREATE INDEX pushers_device_idx ON userapi.pushers (localpart, device_id);
`;

export const userapiMigrations: Migration[] = [
  { id: "0001_initial", sql: initial },
  { id: "0002_profile_custom_fields", sql: profileCustomFields },
  { id: "0003_account_moderation", sql: accountModeration },
  { id: "0004_notifications", sql: notifications },
  { id: "0005_key_backups", sql: keyBackups },
  { id: "0006_drop_key_backups", sql: dropKeyBackups },
  { id: "0007_pushers", sql: pushers },
];
