/** The `clientapi` schema. Never edit a migration that has shipped: add the next one. */
import type { Migration } from "@dendrite-ts/runtime";

export const CLIENTAPI_SCHEMA = "clientapi";

export const clientapiMigrations: readonly Migration[] = [
  {
    id: "0001_transactions",
    sql: /* sql */ `
      -- One row per client transaction (spec: "Transaction identifiers"): scoped to a device
      -- and an endpoint; the room is part of the path, so part of the key.
      CREATE TABLE transactions (
        user_id    text   NOT NULL,
        device_id  text   NOT NULL,
        endpoint   text   NOT NULL,  -- 'send' | 'redact'
        room_id    text   NOT NULL,
        txn_id     text   NOT NULL,
        event_id   text,             -- NULL while the first request is still sending
        claimed_ts bigint NOT NULL,  -- when a request took the row (ms); stale claims are taken over
        PRIMARY KEY (user_id, device_id, endpoint, room_id, txn_id)
      );
      CREATE INDEX transactions_claimed_ts ON transactions (claimed_ts);
    `,
  },
  {
    id: "0002_drop_transactions",
    sql: /* sql */ `
      -- The roomserver records each client transaction with its event, in the same database
      -- transaction (roomserver.send_transactions): this table only cost two statements a send.
      DROP TABLE IF EXISTS transactions;
    `,
  },
  {
    id: "0003_reports",
    sql: /* sql */ `
      -- What users reported to the server's admins (client-server API, "Reporting content"):
      -- an event, a room or a user; read back through the admin API.
      CREATE TABLE reports (
        id             bigserial PRIMARY KEY,
        kind           text   NOT NULL CHECK (kind IN ('event', 'room', 'user')),
        reporter       text   NOT NULL,
        room_id        text,            -- event and room reports
        event_id       text,            -- event reports
        event_sender   text,            -- event reports: who sent the reported event
        target_user_id text,            -- user reports
        reason         text,
        received_ts    bigint NOT NULL
      );
      CREATE INDEX reports_kind_id ON reports (kind, id);
    `,
  },
];
