/**
 * A CTE named `relaxed` that lets its statement's own (implicit) transaction commit without
 * waiting for the disk — `synchronous_commit = off` for that commit alone (set_config with
 * is_local lasts to the end of the transaction, and the setting is read at commit). Reference
 * `relaxed` in the statement so it is evaluated. For writes a database crash may lose without
 * harm: what they record is recorded elsewhere or is redone (an acknowledgement, a delete of
 * rows already published). The WAL is written in order, so any later durable commit makes them
 * durable too. `when` false keeps the server's setting.
 */
import type { PendingQuery, Row } from "postgres";
import type { Sql } from "./database.js";

export function commitWithoutWaiting(sql: Sql, when = true): PendingQuery<Row[]> {
  return when
    ? sql`relaxed AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))`
    : sql`relaxed AS MATERIALIZED (SELECT current_setting('synchronous_commit'))`;
}
