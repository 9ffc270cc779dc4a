// The keyserver store: query groups per table, bound to the pool or to one transaction.
import type { Db } from "./db";
import { crossSigningKeyQueries } from "./cross-signing-keys";
import { deviceKeyQueries } from "./device-keys";
import { fallbackKeyQueries } from "./fallback-keys";
import { keySignatureQueries } from "./key-signatures";
import { keyBackupQueries } from "./key-backups";
import { oneTimeKeyQueries } from "./one-time-keys";
import { outboxQueries } from "@dendrite-ts/runtime";
import { outbox } from "./schema";

export { keyserverMigrations } from "./migrations";
export type { Db } from "./db";
export type { CrossSigningKeyRow, CrossSigningUsage } from "./cross-signing-keys";
export type { DeviceKeysRow } from "./device-keys";
export type { KeySignatureRow } from "./key-signatures";
export type { BackupKeyRow, BackupVersionRow } from "./key-backups";
export type { OneTimeKey } from "./one-time-keys";
export type { OutboxRow } from "@dendrite-ts/runtime";

function bind(db: Db) {
  return {
    deviceKeys: deviceKeyQueries(db),
    oneTimeKeys: oneTimeKeyQueries(db),
    fallbackKeys: fallbackKeyQueries(db),
    crossSigningKeys: crossSigningKeyQueries(db),
    keySignatures: keySignatureQueries(db),
    keyBackups: keyBackupQueries(db),
    outbox: outboxQueries(db, outbox, "keyserver"),
  };
}

export type KeyserverTables = ReturnType<typeof bind>;

export interface KeyserverStore extends KeyserverTables {
  /** Runs `fn` in one transaction; every query through `tx` is part of it. */
  transaction<T>(fn: (tx: KeyserverTables) => Promise<T>): Promise<T>;
}

export function createKeyserverStore(db: Db): KeyserverStore {
  return {
    ...bind(db),
    transaction: (fn) => db.transaction((tx) => fn(bind(tx as unknown as Db))),
  };
}
