/**
 * The `serverkeyapi` schema as ordered migrations, applied on start by runtime's
 * `applyMigrations`. Never edit one that has shipped: add the next.
 */
export interface ServerKeyMigration {
  readonly id: string;
  readonly sql: string;
}

export const SERVERKEYAPI_SCHEMA = "serverkeyapi";

export const serverKeyMigrations: readonly ServerKeyMigration[] = [
  {
    id: "0001_server_keys",
    sql: /* sql */ `
CREATE TABLE IF NOT EXISTS serverkeyapi.server_keys (
  server_name    text   NOT NULL,
  key_id         text   NOT NULL,
  public_key     text   NOT NULL,
  valid_until_ts bigint NOT NULL,
  expired_ts     bigint,
  fetched_from   text   NOT NULL,
  fetched_ts     bigint NOT NULL,
  PRIMARY KEY (server_name, key_id)
);

CREATE TABLE IF NOT EXISTS serverkeyapi.server_key_responses (
  server_name    text   PRIMARY KEY,
  response       text   NOT NULL,
  valid_until_ts bigint NOT NULL,
  fetched_from   text   NOT NULL,
  fetched_ts     bigint NOT NULL
);
`,
  },
];
