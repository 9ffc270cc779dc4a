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
  {
    // The user directory (POST /user_directory/search) searches joined members by the names
    // their member events carry and by which rooms are public: both kept as columns so a search
    // is one statement over memberships, not a parse of every member event and every room's state.
    id: "0004_user_directory",
    sql: `
ALTER TABLE roomserver.memberships
  ADD COLUMN display_name TEXT,
  ADD COLUMN avatar_url TEXT,
  ADD COLUMN name_key TEXT;

-- Only joined members are searched. Rows written from now on get name_key from the roomserver's
-- own tokeniser (search-words.ts, Unicode-aware); this backfill folds case and finds word
-- boundaries as the database's locale can (ASCII at least; the embedded database's is C).
UPDATE roomserver.memberships m
SET display_name = p.display_name,
    avatar_url = p.avatar_url,
    name_key = CASE WHEN p.display_name IS NULL THEN NULL
      ELSE ' ' || btrim(regexp_replace(lower(p.display_name), '[[:space:][:punct:]]+', ' ', 'g')) || ' ' END
FROM (
  SELECT e.event_nid,
    CASE WHEN jsonb_typeof(c->'displayname') = 'string' AND c->>'displayname' <> '' THEN c->>'displayname' END AS display_name,
    CASE WHEN jsonb_typeof(c->'avatar_url') = 'string' AND c->>'avatar_url' <> '' THEN c->>'avatar_url' END AS avatar_url
  FROM roomserver.events e
  CROSS JOIN LATERAL (SELECT (e.json::jsonb)->'content' AS c) x
  WHERE e.redacted_by IS NULL
) p
WHERE p.event_nid = m.event_nid AND m.membership = 'join';

-- Each room's current join rule and history visibility (null: no such state event).
CREATE TABLE roomserver.room_visibility (
  room_nid BIGINT PRIMARY KEY,
  join_rule TEXT,
  history_visibility TEXT
);

INSERT INTO roomserver.room_visibility (room_nid, join_rule, history_visibility)
SELECT r.room_nid,
  max(CASE WHEN t.event_type = 'm.room.join_rules' THEN (e.json::jsonb)->'content'->>'join_rule' END),
  max(CASE WHEN t.event_type = 'm.room.history_visibility' THEN (e.json::jsonb)->'content'->>'history_visibility' END)
FROM roomserver.rooms r
JOIN roomserver.state_snapshots s ON s.state_snapshot_nid = r.state_snapshot_nid
CROSS JOIN LATERAL unnest(s.state_block_nids) AS sb(nid)
JOIN roomserver.state_blocks b ON b.state_block_nid = sb.nid
CROSS JOIN LATERAL unnest(b.type_nids, b.state_key_nids, b.event_nids) AS x(type_nid, state_key_nid, event_nid)
JOIN roomserver.event_types t ON t.event_type_nid = x.type_nid AND t.event_type IN ('m.room.join_rules', 'm.room.history_visibility')
JOIN roomserver.event_state_keys k ON k.event_state_key_nid = x.state_key_nid AND k.event_state_key = ''
JOIN roomserver.events e ON e.event_nid = x.event_nid
GROUP BY r.room_nid;
`,
  },
  {
    // One column holds both the user ID's words and the display name's, so a search reads one
    // stored string per member instead of deriving the user ID's words per row per keystroke.
    id: "0005_user_directory_search_key",
    sql: `
ALTER TABLE roomserver.memberships RENAME COLUMN name_key TO search_key;

UPDATE roomserver.memberships m
SET search_key = ' ' || btrim(regexp_replace(lower(k.event_state_key), '[[:space:][:punct:]]+', ' ', 'g')) || ' '
  || coalesce(ltrim(m.search_key), '')
FROM roomserver.event_state_keys k
WHERE k.event_state_key_nid = m.target_nid AND m.membership = 'join';
`,
  },
];
