/**
 * The `keyserver` schema, as ordered migrations. Applied on start by `applyMigrations`;
 * never edit a migration that has shipped — add the next one.
 */
import type { Migration } from "@dendrite-ts/runtime";

const initial = /* sql */ `
CREATE SCHEMA IF NOT EXISTS keyserver;

CREATE TABLE keyserver.device_keys (
  user_id    text   NOT NULL,
  device_id  text   NOT NULL,
  key_json   text   NOT NULL,
  updated_ts bigint NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

CREATE TABLE keyserver.one_time_keys (
  user_id   text NOT NULL,
  device_id text NOT NULL,
  algorithm text NOT NULL,
  key_id    text NOT NULL,
  key_json  text NOT NULL,
  PRIMARY KEY (user_id, device_id, algorithm, key_id)
);

CREATE TABLE keyserver.fallback_keys (
  user_id   text    NOT NULL,
  device_id text    NOT NULL,
  algorithm text    NOT NULL,
  key_id    text    NOT NULL,
  key_json  text    NOT NULL,
  used      boolean NOT NULL DEFAULT false,
  PRIMARY KEY (user_id, device_id, algorithm)
);

CREATE TABLE keyserver.outbox (
  id      bigserial PRIMARY KEY,
  subject text  NOT NULL,
  msg_id  text  NOT NULL UNIQUE,
  payload jsonb NOT NULL
);
`;

// Cross-signing (client-server API, "Cross-signing"): a user's three keys, each stored exactly
// as uploaded, and the signatures made later over keys (devices' and cross-signing keys).
const crossSigning = /* sql */ `
CREATE TABLE keyserver.cross_signing_keys (
  user_id    text   NOT NULL,
  usage      text   NOT NULL CHECK (usage IN ('master', 'self_signing', 'user_signing')),
  key_id     text   NOT NULL,
  key_json   text   NOT NULL,
  updated_ts bigint NOT NULL,
  PRIMARY KEY (user_id, usage)
);

CREATE TABLE keyserver.key_signatures (
  signer_user_id text NOT NULL,
  signer_key_id  text NOT NULL,
  target_user_id text NOT NULL,
  target_key_id  text NOT NULL,
  signature      text NOT NULL,
  PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id)
);
CREATE INDEX key_signatures_signer ON keyserver.key_signatures (signer_user_id, signer_key_id);
`;

/**
 * Server-side key backups (client-server "Server-side key backups"): a user's backup versions,
 * numbered per user and never reused (a deleted one keeps its row, so deleting it again
 * succeeds), and the encrypted room keys stored in each. Keyed by localpart, as userapi's
 * tables of the same name were (dropped by userapi's 0006).
 */
const keyBackups = /* sql */ `
CREATE TABLE keyserver.key_backup_versions (
  localpart text    NOT NULL,
  version   bigint  NOT NULL,
  algorithm text    NOT NULL,
  auth_data jsonb   NOT NULL,
  -- Bumped whenever the version's keys change; the API's etag is its decimal string.
  etag      bigint  NOT NULL DEFAULT 0,
  deleted   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (localpart, version)
);

CREATE TABLE keyserver.key_backup_keys (
  localpart           text    NOT NULL,
  version             bigint  NOT NULL,
  room_id             text    NOT NULL,
  session_id          text    NOT NULL,
  first_message_index bigint  NOT NULL,
  forwarded_count     bigint  NOT NULL,
  is_verified         boolean NOT NULL,
  session_data        jsonb   NOT NULL,
  PRIMARY KEY (localpart, version, room_id, session_id),
  FOREIGN KEY (localpart, version) REFERENCES keyserver.key_backup_versions (localpart, version) ON DELETE CASCADE
);
`;

export const keyserverMigrations: readonly Migration[] = [
  { id: "0001_keys", sql: initial },
  { id: "0002_cross_signing", sql: crossSigning },
  { id: "0003_key_backups", sql: keyBackups },
];
