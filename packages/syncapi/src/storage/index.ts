/**
 * The syncapi's storage: one object of query functions bound to a database handle, and
 * `transaction` handing the same object bound to a transaction. Only this folder imports drizzle.
 */
import * as accountData from "./account-data";
import type { Executor } from "./db";
import * as events from "./events";
import * as filters from "./filters";
import * as invites from "./invites";
import * as lazyMembers from "./lazy-members";
import * as memberships from "./memberships";
import * as positions from "./positions";
import * as state from "./state";
import * as threads from "./threads";

export { SYNCAPI_SCHEMA, syncapiMigrations } from "./migrations";
export type { StoredEvent, TopoPoint } from "./events";
export type { StateRow, StateAdd } from "./state";
export type { MembershipRow } from "./memberships";
export type { InviteRow } from "./invites";
export type { AccountDataRow } from "./account-data";
export type { Positions } from "./positions";
export type { ThreadRow } from "./threads";
export type { Executor } from "./db";

// Drops the leading `db` parameter of every query function in a module.
type Bound<M> = {
  [K in keyof M]: M[K] extends (db: Executor, ...args: infer A) => infer R ? (...args: A) => R : never;
};

function bind<M extends Record<string, unknown>>(mod: M, db: Executor): Bound<M> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mod)) {
    if (typeof v === "function") out[k] = (...args: unknown[]) => (v as (...a: unknown[]) => unknown)(db, ...args);
  }
  return out as Bound<M>;
}

export interface SyncStore {
  events: Bound<typeof events>;
  state: Bound<typeof state>;
  memberships: Bound<typeof memberships>;
  invites: Bound<typeof invites>;
  accountData: Bound<typeof accountData>;
  filters: Bound<typeof filters>;
  lazyMembers: Bound<typeof lazyMembers>;
  positions: Bound<typeof positions>;
  threads: Bound<typeof threads>;
  /** Runs fn with the store bound to one transaction. */
  transaction<T>(fn: (tx: SyncStore) => Promise<T>): Promise<T>;
}

export function createSyncStore(db: Executor): SyncStore {
  return {
    events: bind(events, db),
    state: bind(state, db),
    memberships: bind(memberships, db),
    invites: bind(invites, db),
    accountData: bind(accountData, db),
    filters: bind(filters, db),
    lazyMembers: bind(lazyMembers, db),
    positions: bind(positions, db),
    threads: bind(threads, db),
    transaction: (fn) => db.transaction((tx) => fn(createSyncStore(tx as unknown as Executor))),
  };
}
export type { SqlEventFilter } from "./event-filter";
