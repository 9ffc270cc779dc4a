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

export const userapiMigrations: Migration[] = [
  { id: "0001_initial", sql: initial },
  { id: "0002_profile_custom_fields", sql: profileCustomFields },
  { id: "0003_account_moderation", sql: accountModeration },
];
