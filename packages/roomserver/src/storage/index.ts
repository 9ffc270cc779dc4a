/**
 * The roomserver's storage: one interface over the `roomserver` schema. Only this folder
 * imports drizzle. `transaction(fn)` hands `fn` the same interface bound to one transaction;
 * NIDs and state blocks are always written in autocommit (see nids.ts, state.ts).
 *
 * Prepared statements: postgres.js prepares every query (its `prepare: true` default) and
 * reuses it per connection; our queries keep values out of the SQL text so that reuse happens.
 */
import type { Executor } from "./db";
import { aliasQueries, type AliasQueries } from "./aliases";
import { eventQueries, type EventQueries } from "./events";
import { inviteQueries, type InviteQueries } from "./invites";
import { membershipQueries, type MembershipQueries } from "./memberships";
import { nidQueries, type NidQueries } from "./nids";
import { outboxQueries, type OutboxQueries } from "./outbox";
import { publishedQueries, type PublishedQueries } from "./published";
import { redactionQueries, type RedactionQueries } from "./redactions";
import { roomQueries, type RoomQueries } from "./rooms";
import { sendTransactionQueries, type SendTransactionQueries } from "./send-transactions";
import { stateQueries, type StateQueries } from "./state";

export type TxQueries = RoomQueries &
  EventQueries &
  MembershipQueries &
  InviteQueries &
  AliasQueries &
  RedactionQueries &
  OutboxQueries &
  PublishedQueries &
  SendTransactionQueries;

export interface RoomserverStore extends TxQueries, NidQueries, StateQueries {
  /** Runs `fn` in one transaction; NID and state writes inside it still autocommit. */
  transaction<T>(fn: (tx: RoomserverStore) => Promise<T>): Promise<T>;
}

function txQueries(db: Executor): TxQueries {
  return {
    ...roomQueries(db),
    ...eventQueries(db),
    ...membershipQueries(db),
    ...inviteQueries(db),
    ...aliasQueries(db),
    ...redactionQueries(db),
    ...outboxQueries(db),
    ...publishedQueries(db),
    ...sendTransactionQueries(db),
  };
}

export function createRoomserverStore(db: Executor): RoomserverStore {
  const nids = nidQueries(db);
  const state = stateQueries(db);
  const store: RoomserverStore = {
    ...txQueries(db),
    ...nids,
    ...state,
    transaction: (fn) =>
      db.transaction((tx) => {
        // A nested call joins the open transaction rather than escaping it.
        const txStore: RoomserverStore = { ...txQueries(tx), ...nids, ...state, transaction: (f) => f(txStore) };
        return fn(txStore);
      }),
  };
  return store;
}

export { roomserverMigrations, ROOMSERVER_SCHEMA, type Migration } from "./migrations";
export type { Executor } from "./db";
export type { StateEntry } from "./state-entries";
export type { EventRow, NewEventRow } from "./events";
export type { MembershipRow } from "./memberships";
export type { InviteRow } from "./invites";
export type { SendTransactionKey } from "./send-transactions";
export type { RoomInfo } from "./rooms";
export type { OutboxRow } from "./outbox";
