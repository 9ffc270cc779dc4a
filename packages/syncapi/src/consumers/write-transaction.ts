/**
 * Every consumer write: one transaction, under the writers' lock (see positions.lockWriters).
 * New room events take the lock in their first statement instead (storage hot-path insertLiveEvent).
 */
import type { SyncStore } from "../storage";

export function writeTransaction<T>(store: SyncStore, fn: (tx: SyncStore) => Promise<T>): Promise<T> {
  return store.transaction(async (tx) => {
    await tx.positions.lockWriters();
    return fn(tx);
  });
}
