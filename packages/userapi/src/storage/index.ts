// The userapi store: query groups per table, bound to the pool or to one transaction.
// Writes that revoke access tokens or change what they resolve to (devices or tokens deleted,
// an account deactivated, its admin flag or its lock/suspension set) report the user to `tokensChanged` once they
// are committed: at once on the pool, after the transaction settles inside one. That is what
// keeps userapi's in-memory token cache exactly as current as the tables (token-cache.ts).
import type { Sql } from "@dendrite-ts/runtime";
import type { Db } from "./db";
import { accountQueries } from "./accounts";
import { deviceQueries } from "./devices";
import { accessTokenQueries } from "./access-tokens";
import { profileQueries } from "./profiles";
import { accountDataQueries } from "./account-data";
import { outboxQueries } from "@dendrite-ts/runtime";
import { outbox } from "./schema";
import { notificationQueries } from "./notifications";
import { registrationTokenQueries } from "./registration-tokens";
import { uiaSessionQueries } from "./uia-sessions";
import { sharedSecretNonceQueries } from "./shared-secret-nonces";
import { pusherQueries } from "./pushers";

export { userapiMigrations } from "./migrations";
export { isUniqueViolation } from "./db";
export type { Db } from "./db";
export type { AccountRow, AccountType } from "./accounts";
export type { DeviceRow } from "./devices";
export type { TokenOwner } from "./access-tokens";
export type { ProfileRow } from "./profiles";
export type { AccountDataRow } from "./account-data";
export type { OutboxRow } from "@dendrite-ts/runtime";
export type { NotificationInsert, NotificationRow, UnreadCountsRow } from "./notifications";
export type { RegistrationTokenRow } from "./registration-tokens";
export type { UiaSessionRow } from "./uia-sessions";
export type { PusherRow } from "./pushers";

/** Runs the write, then reports its user (first argument), whether it succeeded or not. */
function reporting<A extends [string, ...unknown[]], R>(fn: (...a: A) => Promise<R>, changed: (localpart: string) => void) {
  return async (...a: A): Promise<R> => {
    try {
      return await fn(...a);
    } finally {
      changed(a[0]);
    }
  };
}

function bind(db: Db, changed: (localpart: string) => void, raw?: Sql) {
  const accounts = accountQueries(db);
  const devices = deviceQueries(db);
  const accessTokens = accessTokenQueries(db, raw);
  return {
    accounts: {
      ...accounts,
      deactivate: reporting(accounts.deactivate, changed),
      setAdmin: reporting(accounts.setAdmin, changed),
      setModeration: reporting(accounts.setModeration, changed),
    },
    devices: {
      ...devices,
      delete: reporting(devices.delete, changed),
      deleteAllExcept: reporting(devices.deleteAllExcept, changed),
    },
    accessTokens: {
      ...accessTokens,
      deleteForDevice: reporting(accessTokens.deleteForDevice, changed),
    },
    profiles: profileQueries(db),
    accountData: accountDataQueries(db),
    outbox: outboxQueries(db, outbox, "userapi"),
    notifications: notificationQueries(db),
    registrationTokens: registrationTokenQueries(db),
    uiaSessions: uiaSessionQueries(db),
    sharedSecretNonces: sharedSecretNonceQueries(db),
    pushers: pusherQueries(db),
  };
}

export type UserapiTables = ReturnType<typeof bind>;

export interface UserapiStore extends UserapiTables {
  /** Runs `fn` in one transaction; every query through `tx` is part of it. */
  transaction<T>(fn: (tx: UserapiTables) => Promise<T>): Promise<T>;
}

export interface StoreOptions {
  /** postgres.js over the same pool, for the hot token look-up as a prepared statement. */
  sql?: Sql;
  /** A committed write revoked the user's tokens or changed what they resolve to. */
  tokensChanged?: (localpart: string) => void;
}

export function createUserapiStore(db: Db, opts: StoreOptions = {}): UserapiStore {
  const changed = opts.tokensChanged ?? (() => {});
  return {
    ...bind(db, changed, opts.sql),
    transaction: async (fn) => {
      const touched = new Set<string>();
      try {
        return await db.transaction((tx) => fn(bind(tx as unknown as Db, (localpart) => touched.add(localpart))));
      } finally {
        for (const localpart of touched) changed(localpart);
      }
    },
  };
}
