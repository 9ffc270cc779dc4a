// The userapi store: query groups per table, bound to the pool or to one transaction.
import type { Db } from "./db";
import { accountQueries } from "./accounts";
import { deviceQueries } from "./devices";
import { accessTokenQueries } from "./access-tokens";
import { profileQueries } from "./profiles";
import { accountDataQueries } from "./account-data";
import { outboxQueries } from "./outbox";
import { registrationTokenQueries } from "./registration-tokens";
import { uiaSessionQueries } from "./uia-sessions";
import { sharedSecretNonceQueries } from "./shared-secret-nonces";

export { userapiMigrations } from "./migrations";
export { isUniqueViolation } from "./db";
export type { Db } from "./db";
export type { AccountRow, AccountType } from "./accounts";
export type { DeviceRow } from "./devices";
export type { TokenOwner } from "./access-tokens";
export type { ProfileRow } from "./profiles";
export type { AccountDataRow } from "./account-data";
export type { OutboxRow } from "./outbox";
export type { RegistrationTokenRow } from "./registration-tokens";
export type { UiaSessionRow } from "./uia-sessions";

function bind(db: Db) {
  return {
    accounts: accountQueries(db),
    devices: deviceQueries(db),
    accessTokens: accessTokenQueries(db),
    profiles: profileQueries(db),
    accountData: accountDataQueries(db),
    outbox: outboxQueries(db),
    registrationTokens: registrationTokenQueries(db),
    uiaSessions: uiaSessionQueries(db),
    sharedSecretNonces: sharedSecretNonceQueries(db),
  };
}

export type UserapiTables = ReturnType<typeof bind>;

export interface UserapiStore extends UserapiTables {
  /** Runs `fn` in one transaction; every query through `tx` is part of it. */
  transaction<T>(fn: (tx: UserapiTables) => Promise<T>): Promise<T>;
}

export function createUserapiStore(db: Db): UserapiStore {
  return {
    ...bind(db),
    transaction: (fn) => db.transaction((tx) => fn(bind(tx as unknown as Db))),
  };
}
