/**
 * The syncapi's storage: one object of query functions bound to a database handle, and
 * `transaction` handing the same object bound to a transaction. Only this folder imports drizzle.
 */
import * as accountData from "./account-data";
import type { Sql } from "@dendrite-ts/runtime";
import type { Executor } from "./db";
import * as events from "./events";
import * as filters from "./filters";
import * as hotPath from "./hot-path";
import * as invites from "./invites";
import * as lazyMembers from "./lazy-members";
import * as memberships from "./memberships";
import * as positions from "./positions";
import * as receipts from "./receipts";
import * as deviceLists from "./device-lists";
import * as search from "./search";
import * as sendToDevice from "./send-to-device";
import * as state from "./state";
import * as threads from "./threads";
import * as unreadCounts from "./unread-counts";

export { SYNCAPI_SCHEMA, syncapiMigrations } from "./migrations";
export type { StoredEvent, TopoPoint } from "./events";
export type { StateRow, StateAdd } from "./state";
export type { MembershipRow } from "./memberships";
export type { InviteRow } from "./invites";
export type { AccountDataRow } from "./account-data";
export type { Positions } from "./positions";
export type { ThreadRow } from "./threads";
export type { ReceiptRow } from "./receipts";
export type { ToDeviceMessage } from "./send-to-device";
export type { UnreadCountsRow } from "./unread-counts";
export type { SearchCursor, SearchHit, SearchKey, SearchQuery, SearchRoom } from "./search";
export { SEARCH_KEY_TYPES } from "./search";
export type { Executor } from "./db";
export type { SyncOverview, RoomDelta, RoomDeltaQuery, DeltaSpec, Notice, FullRead, FullWindow, LiveWrite } from "./hot-path";

// Drops the leading `db` parameter of every query function in a module.
type Bound<M> = {
  [K in keyof M]: M[K] extends (db: Executor, ...args: infer A) => infer R ? (...args: A) => R : never;
};

// Drops the leading `sql` parameter of every raw query function in a module.
type BoundSql<M> = {
  [K in keyof M]: M[K] extends (sql: Sql, ...args: infer A) => infer R ? (...args: A) => R : never;
};

function bind<M extends Record<string, unknown>, D>(mod: M, db: D): Bound<M> & BoundSql<M> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mod)) {
    if (typeof v === "function") out[k] = (...args: unknown[]) => (v as (...a: unknown[]) => unknown)(db, ...args);
  }
  return out as Bound<M> & BoundSql<M>;
}

/** The postgres.js client under a drizzle database or transaction: raw SQL in the same transaction. */
function clientOf(db: Executor): Sql {
  const client = (db as unknown as { session?: { client?: Sql } }).session?.client;
  if (!client) throw new Error("syncapi storage: no postgres.js client under this drizzle handle");
  return client;
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
  search: Bound<typeof search>;
  /** Receipts (raw postgres.js statements). */
  receipts: BoundSql<typeof receipts>;
  /** Device-list changes (raw postgres.js statements). */
  deviceLists: BoundSql<typeof deviceLists>;
  /** Unread notification counts (raw postgres.js statements). */
  unread: BoundSql<typeof unreadCounts>;
  /** To-device messages (raw postgres.js statements). */
  toDevice: BoundSql<typeof sendToDevice>;
  /** Raw postgres.js statements of the send → /sync path (hot-path.ts). */
  hot: BoundSql<typeof hotPath>;
  /** Runs fn with the store bound to one transaction. */
  transaction<T>(fn: (tx: SyncStore) => Promise<T>): Promise<T>;
}

export function createSyncStore(db: Executor, sql: Sql = clientOf(db)): SyncStore {
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
    search: bind(search, db),
    receipts: bind(receipts, sql),
    deviceLists: bind(deviceLists, sql),
    unread: bind(unreadCounts, sql),
    toDevice: bind(sendToDevice, sql),
    hot: bind(hotPath, sql),
    transaction: (fn) => db.transaction((tx) => fn(createSyncStore(tx as unknown as Executor))),
  };
}
export type { SqlEventFilter } from "./event-filter";
