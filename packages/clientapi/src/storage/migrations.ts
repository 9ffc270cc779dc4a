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
];
