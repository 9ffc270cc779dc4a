/**
 * The `syncapi` schema's migrations, applied in order on start. Never edit one that has
 * shipped: add the next. schema.ts mirrors these tables for drizzle.
 */
import type { Migration } from "@dendrite-ts/runtime";

export const SYNCAPI_SCHEMA = "syncapi";

export const syncapiMigrations: readonly Migration[] = [
  {
    id: "0001_initial",
    sql: `
-- One position space for everything room-shaped (events, state changes, memberships, invites):
-- a since token compares one number. Account data has its own.
CREATE SEQUENCE syncapi.stream_pos;
CREATE SEQUENCE syncapi.account_data_pos;

CREATE TABLE syncapi.stream_positions (
  name TEXT PRIMARY KEY,
  pos BIGINT NOT NULL
);
INSERT INTO syncapi.stream_positions (name, pos) VALUES ('room', 0), ('account_data', 0);

CREATE TABLE syncapi.output_room_events (
  pos BIGINT PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  room_id TEXT NOT NULL,
  type TEXT NOT NULL,
  sender TEXT NOT NULL,
  state_key TEXT,
  depth BIGINT NOT NULL,
  room_version TEXT NOT NULL,
  event_json JSONB NOT NULL,
  unsigned_extra JSONB NOT NULL DEFAULT '{}',
  redacted_because JSONB,
  txn_id TEXT,
  txn_device_id TEXT,
  contains_url BOOLEAN NOT NULL DEFAULT false,
  origin_kind TEXT NOT NULL,
  excluded BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX output_room_events_room_pos ON syncapi.output_room_events (room_id, pos);
CREATE INDEX output_room_events_room_topo ON syncapi.output_room_events (room_id, depth, pos);

CREATE TABLE syncapi.room_state (
  id BIGSERIAL PRIMARY KEY,
  room_id TEXT NOT NULL,
  type TEXT NOT NULL,
  state_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  membership TEXT,
  added_pos BIGINT NOT NULL,
  removed_pos BIGINT
);
CREATE UNIQUE INDEX room_state_current ON syncapi.room_state (room_id, type, state_key) WHERE removed_pos IS NULL;
CREATE INDEX room_state_room_added ON syncapi.room_state (room_id, added_pos);
CREATE INDEX room_state_room_key ON syncapi.room_state (room_id, type, state_key, added_pos);

CREATE TABLE syncapi.memberships (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  pos BIGINT NOT NULL,
  membership TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, room_id, pos)
);
CREATE INDEX memberships_user_pos ON syncapi.memberships (user_id, pos);

CREATE TABLE syncapi.invites (
  event_id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  invite_event JSONB NOT NULL,
  room_version TEXT NOT NULL,
  stripped_state JSONB NOT NULL,
  pos BIGINT NOT NULL,
  retired_pos BIGINT
);
CREATE INDEX invites_user ON syncapi.invites (user_id, pos);

CREATE TABLE syncapi.account_data (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  type TEXT NOT NULL,
  content JSONB NOT NULL,
  pos BIGINT NOT NULL,
  source_pos BIGINT NOT NULL,
  PRIMARY KEY (user_id, room_id, type)
);
CREATE INDEX account_data_user_pos ON syncapi.account_data (user_id, pos);

CREATE TABLE syncapi.filters (
  filter_id BIGSERIAL PRIMARY KEY,
  user_id TEXT NOT NULL,
  filter JSONB NOT NULL
);
CREATE INDEX filters_user ON syncapi.filters (user_id);

CREATE TABLE syncapi.lazy_loaded_members (
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, device_id, room_id, member_id)
);
`,
  },
  {
    id: "0002_invite_retired_by",
    sql: `
-- The membership event that ended an invite: shown in rooms.leave when the room has no
-- timeline here (an invite over federation to a room we are not in, then rejected).
ALTER TABLE syncapi.invites ADD COLUMN retired_by_event_id TEXT;
ALTER TABLE syncapi.invites ADD COLUMN retired_membership TEXT;
`,
  },
  {
    id: "0003_relations",
    sql: `
-- content."m.relates_to" of each event, for /relations; cleared when the event is redacted.
ALTER TABLE syncapi.output_room_events ADD COLUMN relates_to TEXT;
ALTER TABLE syncapi.output_room_events ADD COLUMN rel_type TEXT;
CREATE INDEX output_room_events_relates_to ON syncapi.output_room_events (room_id, relates_to) WHERE relates_to IS NOT NULL;
`,
  },
  {
    id: "0004_stream_prev_pos",
    sql: `
-- The position a stream had before its latest write under the writers' lock: a long-poll woken
-- by that write knows it is the only news when its since token is this position.
ALTER TABLE syncapi.stream_positions ADD COLUMN prev_pos BIGINT NOT NULL DEFAULT 0;
`,
  },
  {
    id: "0005_search",
    sql: `
-- Server-side search (POST /search): the text of each searchable event — content.body of
-- m.room.message, content.name of m.room.name, content.topic (else the text/plain m.topic) of
-- m.room.topic — indexed straight from event_json. A redaction rewrites event_json, so the
-- index drops the words with it, and the insert writes no extra column. The function is
-- inlined into the index expression: never redefine it, add a new one and a new index.
CREATE FUNCTION syncapi.search_text(type TEXT, event_json JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN type = 'm.room.message' AND jsonb_typeof(event_json->'content'->'body') = 'string' THEN event_json->'content'->>'body'
    WHEN type = 'm.room.name' AND jsonb_typeof(event_json->'content'->'name') = 'string' THEN event_json->'content'->>'name'
    WHEN type = 'm.room.topic' THEN coalesce(
      CASE WHEN jsonb_typeof(event_json->'content'->'topic') = 'string' THEN event_json->'content'->>'topic' END,
      jsonb_path_query_first(event_json, '$.content."m.topic"."m.text"[*] ? (!exists(@.mimetype) || @.mimetype == "text/plain").body ? (@.type() == "string")') #>> '{}')
  END
$fn$;
-- Partial: other event types (members, reactions, encrypted messages) cost nothing.
CREATE INDEX output_room_events_search ON syncapi.output_room_events
  USING GIN (to_tsvector('english', syncapi.search_text(type, event_json)))
  WHERE type IN ('m.room.message', 'm.room.name', 'm.room.topic');
`,
  },
  {
    id: "0006_receipts",
    sql: `
-- Receipts from eduserver's OutputReceiptEvent: the latest of each (room, type, user, thread;
-- '' for unthreaded), at a position of their own stream, the sync token's third part.
CREATE SEQUENCE syncapi.receipt_pos;
CREATE TABLE syncapi.receipts (
  room_id      TEXT   NOT NULL,
  receipt_type TEXT   NOT NULL,
  user_id      TEXT   NOT NULL,
  thread_id    TEXT   NOT NULL DEFAULT '',
  event_id     TEXT   NOT NULL,
  ts           BIGINT NOT NULL,
  pos          BIGINT NOT NULL,
  PRIMARY KEY (room_id, receipt_type, user_id, thread_id)
);
CREATE INDEX receipts_room_pos ON syncapi.receipts (room_id, pos);
INSERT INTO syncapi.stream_positions (name, pos) VALUES ('receipt', 0);
`,
  },
  {
    id: "0007_unread_counts",
    sql: `
-- Each user's unread notification counts per room from userapi's OutputNotificationData, at
-- positions of the account-data stream (the sync token's second part: the user's own data);
-- source_pos is userapi's, so a redelivered or older message changes nothing.
CREATE TABLE syncapi.unread_counts (
  user_id            TEXT   NOT NULL,
  room_id            TEXT   NOT NULL,
  notification_count BIGINT NOT NULL,
  highlight_count    BIGINT NOT NULL,
  source_pos         BIGINT NOT NULL,
  pos                BIGINT NOT NULL,
  PRIMARY KEY (user_id, room_id)
);
`,
  },
  {
    id: "0008_device_lists",
    sql: `
-- Device-list changes from keyserver's OutputKeyChangeEvent: each user's latest, at a position
-- of its own stream (the sync token's fifth part); and memberships by room and position, to
-- find who came to share or stopped sharing a room with a syncing user between two tokens.
CREATE SEQUENCE syncapi.device_list_pos;
CREATE TABLE syncapi.device_list_changes (
  user_id TEXT   PRIMARY KEY,
  pos     BIGINT NOT NULL
);
CREATE INDEX device_list_changes_pos ON syncapi.device_list_changes (pos);
CREATE INDEX memberships_room_pos ON syncapi.memberships (room_id, pos);
INSERT INTO syncapi.stream_positions (name, pos) VALUES ('device_list', 0);
`,
  },
  {
    id: "0009_send_to_device",
    sql: `
-- To-device messages from eduserver's OutputSendToDeviceEvent, one row per recipient device at
-- a position of their own (the sync token's sixth part), kept until the device syncs past them.
-- message_id is shared by a repeat (a retried transaction, a redelivery): stored once.
CREATE SEQUENCE syncapi.send_to_device_pos;
CREATE TABLE syncapi.send_to_device (
  pos        BIGINT PRIMARY KEY,
  user_id    TEXT   NOT NULL,
  device_id  TEXT   NOT NULL,
  message_id TEXT   NOT NULL,
  sender     TEXT   NOT NULL,
  type       TEXT   NOT NULL,
  content    JSONB  NOT NULL,
  UNIQUE (user_id, device_id, message_id)
);
CREATE INDEX send_to_device_device_pos ON syncapi.send_to_device (user_id, device_id, pos);
INSERT INTO syncapi.stream_positions (name, pos) VALUES ('send_to_device', 0);
`,
  },
];
