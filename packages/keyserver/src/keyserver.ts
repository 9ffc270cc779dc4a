// createKeyserver: every dependency up front; migrations, the output stream and any messages a
// crash left in the outbox are dealt with before the API is handed out.
import { applyMigrations, createOutboxPublisher, type Database, type Logger, type Streams } from "@dendrite-ts/runtime";
import type { KeyserverApi } from "./api";
import { outputKeyChangeEventStream } from "./output";
import { createKeyserverStore, keyserverMigrations, type Db } from "./storage";
import { oneTimeKeyCounts } from "./internal/counts";
import { KeyCountsCache } from "./internal/counts-cache";
import { deleteDeviceKeys } from "./internal/delete";
import * as backups from "./internal/key-backups";
import { claimKeys, queryDeviceKeys } from "./internal/query";
import { uploadKeys } from "./internal/upload";
import { uploadSignatures } from "./internal/upload-signatures";
import { uploadSigningKeys } from "./internal/upload-signing-keys";

/** The part of runtime's `Streams` keyserver uses: it only produces. */
export type KeyserverStreams = Pick<Streams, "ensureStream" | "publish">;

export interface KeyserverDeps {
  db: Pick<Database, "drizzle" | "sql">;
  streams: KeyserverStreams;
  /** Our server name: users of other servers are federation's (listed in `failures`). */
  serverName: string;
  logger?: Pick<Logger, "warn">;
  /** Clock, ms since the epoch. */
  now?: () => number;
}

export interface Keyserver {
  /** The contract implementation: hand it to localClient or mountContract. */
  api: KeyserverApi;
  /** Stops outbox retries; the database and streams belong to the caller. */
  close(): Promise<void>;
}

export async function createKeyserver(deps: KeyserverDeps): Promise<Keyserver> {
  await applyMigrations(deps.db, "keyserver", keyserverMigrations);
  await deps.streams.ensureStream(outputKeyChangeEventStream);
  const store = createKeyserverStore(deps.db.drizzle as unknown as Db);
  const now = deps.now ?? Date.now;
  const outbox = createOutboxPublisher({
    transaction: (fn) => store.transaction((tx) => fn(tx.outbox)),
    publish: async (subject, msgId, payload) => {
      await deps.streams.publish(subject, payload, { msgId, fromOutbox: true });
    },
    log: deps.logger ?? { warn() {} },
    name: "keyserver",
  });
  await outbox.flush();
  const ok = <T>(body: T) => ({ status: 200 as const, body });
  // Every write that can change a device's counts drops them, after it is done and before it answers.
  const counts = new KeyCountsCache();
  const backupCtx: backups.BackupCtx = { store, serverName: deps.serverName };
  const api: KeyserverApi = {
    performUploadKeys: async ({ body }) => {
      try {
        if (await uploadKeys(store, body, now())) await outbox.flush();
      } finally {
        counts.invalidate([body]);
      }
      return ok({ oneTimeKeyCounts: await oneTimeKeyCounts(store, body.userId, body.deviceId) });
    },
    queryKeys: async ({ body }) => ok(await queryDeviceKeys(store, body.deviceKeys, deps.serverName, body.requesterId)),
    performUploadSigningKeys: async ({ body }) => {
      const { authRequired, changed } = await uploadSigningKeys(store, body, now());
      if (changed) await outbox.flush();
      return ok({ authRequired });
    },
    performUploadSignatures: async ({ body }) => {
      const { failures, changed } = await uploadSignatures(store, body.userId, body.signed, deps.serverName);
      if (changed) await outbox.flush();
      return ok({ failures });
    },
    performClaimKeys: async ({ body }) => {
      try {
        return ok(await claimKeys(store, body.oneTimeKeys, deps.serverName));
      } finally {
        counts.invalidate(Object.entries(body.oneTimeKeys).flatMap(([userId, devices]) => Object.keys(devices).map((deviceId) => ({ userId, deviceId }))));
      }
    },
    queryKeyCounts: async ({ body }) =>
      ok(
        await counts.get(body.userId, body.deviceId, async () => ({
          oneTimeKeyCounts: await oneTimeKeyCounts(store, body.userId, body.deviceId),
          unusedFallbackKeyTypes: await store.fallbackKeys.unusedAlgorithms(body.userId, body.deviceId),
        })),
      ),
    performDeleteDeviceKeys: async ({ body }) => {
      try {
        if (await deleteDeviceKeys(store, body.userId, body.deviceIds)) await outbox.flush();
      } finally {
        counts.invalidate(body.deviceIds.map((deviceId) => ({ userId: body.userId, deviceId })));
      }
      return ok({});
    },

    createKeyBackup: async ({ body }) => ok(await backups.createKeyBackup(backupCtx, body)),
    queryKeyBackup: async ({ body }) => ok(await backups.getKeyBackup(backupCtx, body)),
    updateKeyBackup: async ({ body }) => {
      await backups.updateKeyBackup(backupCtx, body);
      return ok({});
    },
    deleteKeyBackup: async ({ body }) => {
      await backups.deleteKeyBackup(backupCtx, body);
      return ok({});
    },
    storeBackupKeys: async ({ body }) => ok(await backups.storeBackupKeys(backupCtx, body)),
    queryBackupKeys: async ({ body }) => ok(await backups.getBackupKeys(backupCtx, body)),
    deleteBackupKeys: async ({ body }) => ok(await backups.deleteBackupKeys(backupCtx, body)),
    performDeleteKeyBackups: async ({ body }) => {
      await backups.deleteUserKeyBackups(backupCtx, body);
      return ok({});
    },
  };
  return { api, close: () => outbox.close() };
}
