/**
 * The `roomserver` schema's migrations, applied in order on start. Never edit one that has
 * shipped: add the next. Kept as TS strings so the bundle carries them.
 */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

export const ROOMSERVER_SCHEMA = "roomserver";

export const roomserverMigrations: readonly Migration[] = [
  {
    id: "0001_initial",
    sql: `
CREATE SCHEMA IF NOT EXISTS roomserver;

CREATE TABLE roomserver.rooms (
  room_nid BIGSERIAL PRIMARY KEY,
  room_id TEXT NOT NULL UNIQUE,
  room_version TEXT NOT NULL,
  state_snapshot_nid BIGINT NOT NULL DEFAULT 0,
  latest_event_nids BIGINT[] NOT NULL DEFAULT '{}',
  last_event_nid BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE roomserver.event_types (
  event_type_nid BIGSERIAL PRIMARY KEY,
  event_type TEXT NOT NULL UNIQUE
);

CREATE TABLE roomserver.event_state_keys (
  event_state_key_nid BIGSERIAL PRIMARY KEY,
  event_state_key TEXT NOT NULL UNIQUE
);

CREATE TABLE roomserver.events (
  event_nid BIGSERIAL PRIMARY KEY,
  room_nid BIGINT NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  event_type_nid BIGINT NOT NULL,
  event_state_key_nid BIGINT,
  sender TEXT NOT NULL,
  depth BIGINT NOT NULL,
  origin_server_ts BIGINT NOT NULL,
  json TEXT NOT NULL,
  auth_event_nids BIGINT[] NOT NULL DEFAULT '{}',
  prev_event_ids TEXT[] NOT NULL DEFAULT '{}',
  state_snapshot_nid BIGINT NOT NULL DEFAULT 0,
  outlier BOOLEAN NOT NULL DEFAULT FALSE,
  rejected BOOLEAN NOT NULL DEFAULT FALSE,
  rejection_reason TEXT,
  soft_failed BOOLEAN NOT NULL DEFAULT FALSE,
  redacted_by TEXT
);
CREATE INDEX events_room_depth_idx ON roomserver.events (room_nid, depth);
CREATE INDEX events_room_state_idx ON roomserver.events (room_nid, event_type_nid, event_state_key_nid)
  WHERE event_state_key_nid IS NOT NULL;

CREATE TABLE roomserver.state_blocks (
  state_block_nid BIGSERIAL PRIMARY KEY,
  block_hash BYTEA NOT NULL UNIQUE,
  type_nids BIGINT[] NOT NULL,
  state_key_nids BIGINT[] NOT NULL,
  event_nids BIGINT[] NOT NULL
);

CREATE TABLE roomserver.state_snapshots (
  state_snapshot_nid BIGSERIAL PRIMARY KEY,
  snapshot_hash BYTEA NOT NULL,
  room_nid BIGINT NOT NULL,
  state_block_nids BIGINT[] NOT NULL,
  UNIQUE (room_nid, snapshot_hash)
);

CREATE TABLE roomserver.memberships (
  room_nid BIGINT NOT NULL,
  target_nid BIGINT NOT NULL,
  target_local BOOLEAN NOT NULL,
  membership TEXT NOT NULL,
  event_nid BIGINT NOT NULL,
  sender TEXT NOT NULL,
  forgotten BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (room_nid, target_nid)
);
CREATE INDEX memberships_target_idx ON roomserver.memberships (target_nid, membership);

CREATE TABLE roomserver.invites (
  invite_event_id TEXT PRIMARY KEY,
  room_nid BIGINT NOT NULL,
  target_nid BIGINT NOT NULL,
  sender TEXT NOT NULL,
  invite_json TEXT NOT NULL,
  retired BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX invites_target_idx ON roomserver.invites (target_nid, room_nid) WHERE NOT retired;

CREATE TABLE roomserver.room_aliases (
  alias TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  creator_id TEXT NOT NULL
);
CREATE INDEX room_aliases_room_idx ON roomserver.room_aliases (room_id);

CREATE TABLE roomserver.redactions (
  redaction_event_id TEXT PRIMARY KEY,
  redacts_event_id TEXT NOT NULL,
  validated BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX redactions_redacts_idx ON roomserver.redactions (redacts_event_id);

CREATE TABLE roomserver.outbox (
  outbox_id BIGSERIAL PRIMARY KEY,
  room_id TEXT NOT NULL,
  payload JSONB NOT NULL
);
`,
  },
  {
    id: "0002_published",
    sql: `
CREATE TABLE roomserver.published (
  room_id TEXT PRIMARY KEY,
  published BOOLEAN NOT NULL DEFAULT FALSE
);
`,
  },  {
    id: "0003_send_transactions",
    sql: `
CREATE TABLE roomserver.send_transactions (
  room_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  device_id TEXT NOT NULL,
  txn_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_id TEXT NOT NULL,
  created_ts BIGINT NOT NULL,
  PRIMARY KEY (room_id, sender, device_id, txn_id, event_type)
);
CREATE INDEX send_transactions_created_idx ON roomserver.send_transactions (created_ts);
`,
  },
];
