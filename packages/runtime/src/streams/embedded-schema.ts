// The embedded log's tables, in its own `streams` schema.
import type { Migration } from "../database/migrations.js";

export const STREAMS_SCHEMA = "streams";

export const streamsMigrations: Migration[] = [
  {
    id: "0001_log",
    sql: `
      -- Stream definitions: which subjects each stream owns.
      CREATE TABLE streams (
        name text PRIMARY KEY,
        subjects text[] NOT NULL
      );
      -- The log. seq is global; publishes to one stream are serialised (advisory lock) so a
      -- reader never sees seq n+1 committed before seq n.
      CREATE TABLE messages (
        seq bigserial PRIMARY KEY,
        stream text NOT NULL,
        subject text NOT NULL,
        msg_id text,               -- de-duplication key, unique per stream
        payload bytea NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream, msg_id)
      );
      CREATE INDEX messages_stream_seq ON messages (stream, seq);
      -- Durable consumers: position = highest seq already copied into pending.
      CREATE TABLE consumers (
        stream text NOT NULL,
        durable text NOT NULL,
        filter_subject text,       -- NATS pattern, as given
        filter_regex text,         -- the same as an anchored regular expression
        ack_wait_ms integer NOT NULL,
        max_deliver integer,       -- NULL: unlimited
        position bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (stream, durable)
      );
      -- Messages a consumer has not acked yet. Only the lowest seq per subject is deliverable
      -- (per-subject order); visible_at is the lease end while in flight, or the nak delay.
      CREATE TABLE pending (
        stream text NOT NULL,
        durable text NOT NULL,
        seq bigint NOT NULL,
        subject text NOT NULL,
        deliveries integer NOT NULL DEFAULT 0,
        visible_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream, durable, seq)
      );
      CREATE INDEX pending_subject_seq ON pending (stream, durable, subject, seq);
    `,
  },
];
