// Server-side key backups (client-server "Server-side key backups"): versions a user creates,
// the current one being the newest not deleted, and the encrypted room keys stored in them.
// Everything is per user; writes take the user's backup lock, so a new version and keys sent to
// the old one are decided in order.
import { localpartOf, MatrixError } from "@dendrite-ts/protocol";
import type { BackedUpRooms } from "../api";
import type { BackupKeyRow, KeyserverStore } from "../storage";

/** What the backup operations need: the store, and our server name (backups are local users'). */
export interface BackupCtx {
  store: KeyserverStore;
  serverName: string;
}

/**
 * Our versions are decimal integers from 1; any other string names no backup (the canonical
 * spelling only, so "01" is not "1").
 */
function parseVersion(version: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(version)) return undefined;
  return Number(version);
}

function unknownVersion(): MatrixError {
  return new MatrixError("M_NOT_FOUND", "Unknown backup version");
}

export async function createKeyBackup(
  ctx: BackupCtx,
  input: { userId: string; algorithm: string; auth_data: Record<string, unknown> },
): Promise<{ version: string }> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const version = await ctx.store.transaction(async (tx) => {
    await tx.keyBackups.lockUser(localpart);
    return tx.keyBackups.createVersion(localpart, input.algorithm, input.auth_data);
  });
  return { version: String(version) };
}

export async function getKeyBackup(
  ctx: BackupCtx,
  input: { userId: string; version?: string | undefined },
): Promise<{ algorithm: string; auth_data: Record<string, unknown>; count: number; etag: string; version: string }> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const wanted = input.version === undefined ? undefined : parseVersion(input.version);
  if (input.version !== undefined && wanted === undefined) throw unknownVersion();
  const row = await ctx.store.keyBackups.selectVersion(localpart, wanted);
  if (!row) throw input.version === undefined ? new MatrixError("M_NOT_FOUND", "No current backup version") : unknownVersion();
  return { algorithm: row.algorithm, auth_data: row.authData, count: row.count, etag: String(row.etag), version: String(row.version) };
}

export async function updateKeyBackup(
  ctx: BackupCtx,
  input: { userId: string; version: string; algorithm: string; auth_data: Record<string, unknown> },
): Promise<void> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const version = parseVersion(input.version);
  if (version === undefined) throw unknownVersion();
  await ctx.store.transaction(async (tx) => {
    await tx.keyBackups.lockUser(localpart);
    const row = await tx.keyBackups.selectVersion(localpart, version);
    if (!row) throw unknownVersion();
    if (row.algorithm !== input.algorithm) throw new MatrixError("M_INVALID_PARAM", "Algorithm does not match the backup's");
    await tx.keyBackups.updateAuthData(localpart, version, input.auth_data);
  });
}

export async function deleteKeyBackup(ctx: BackupCtx, input: { userId: string; version: string }): Promise<void> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const version = parseVersion(input.version);
  if (version === undefined) throw unknownVersion();
  await ctx.store.transaction(async (tx) => {
    await tx.keyBackups.lockUser(localpart);
    if (!(await tx.keyBackups.deleteVersion(localpart, version))) throw unknownVersion();
  });
}

/** Keys go only into the current version: an older one is 403 naming the current one. */
export async function storeBackupKeys(
  ctx: BackupCtx,
  input: { userId: string; version: string; rooms: BackedUpRooms },
): Promise<{ etag: string; count: number }> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const keys: BackupKeyRow[] = [];
  for (const [roomId, room] of Object.entries(input.rooms)) {
    for (const [sessionId, k] of Object.entries(room.sessions)) {
      keys.push({
        roomId,
        sessionId,
        firstMessageIndex: k.first_message_index,
        forwardedCount: k.forwarded_count,
        isVerified: k.is_verified,
        sessionData: k.session_data,
      });
    }
  }
  return ctx.store.transaction(async (tx) => {
    await tx.keyBackups.lockUser(localpart);
    const current = await tx.keyBackups.selectVersion(localpart);
    const version = parseVersion(input.version);
    if (!current || version === undefined) throw unknownVersion();
    if (version !== current.version) {
      if (!(await tx.keyBackups.selectVersion(localpart, version))) throw unknownVersion();
      throw new MatrixError("M_WRONG_ROOM_KEYS_VERSION", "Wrong backup version", { current_version: String(current.version) });
    }
    const changed = await tx.keyBackups.storeKeys(localpart, version, keys);
    if (changed > 0) await tx.keyBackups.bumpEtag(localpart, version);
    const after = (await tx.keyBackups.selectVersion(localpart, version))!;
    return { etag: String(after.etag), count: after.count };
  });
}

function scopeOf(input: { roomId?: string | undefined; sessionId?: string | undefined }): [string?, string?] {
  if (input.roomId === undefined) return [];
  return input.sessionId === undefined ? [input.roomId] : [input.roomId, input.sessionId];
}

export async function getBackupKeys(
  ctx: BackupCtx,
  input: { userId: string; version: string; roomId?: string | undefined; sessionId?: string | undefined },
): Promise<{ rooms: BackedUpRooms }> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const version = parseVersion(input.version);
  if (version === undefined || !(await ctx.store.keyBackups.selectVersion(localpart, version))) throw unknownVersion();
  const rooms: BackedUpRooms = {};
  for (const k of await ctx.store.keyBackups.selectKeys(localpart, version, ...scopeOf(input))) {
    const room = (rooms[k.roomId] ??= { sessions: {} });
    room.sessions[k.sessionId] = {
      first_message_index: k.firstMessageIndex,
      forwarded_count: k.forwardedCount,
      is_verified: k.isVerified,
      session_data: k.sessionData,
    };
  }
  return { rooms };
}

/** Keys may be deleted from any live version, not only the current one. */
export async function deleteBackupKeys(
  ctx: BackupCtx,
  input: { userId: string; version: string; roomId?: string | undefined; sessionId?: string | undefined },
): Promise<{ etag: string; count: number }> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  const version = parseVersion(input.version);
  if (version === undefined) throw unknownVersion();
  return ctx.store.transaction(async (tx) => {
    await tx.keyBackups.lockUser(localpart);
    if (!(await tx.keyBackups.selectVersion(localpart, version))) throw unknownVersion();
    if ((await tx.keyBackups.deleteKeys(localpart, version, ...scopeOf(input))) > 0) await tx.keyBackups.bumpEtag(localpart, version);
    const after = (await tx.keyBackups.selectVersion(localpart, version))!;
    return { etag: String(after.etag), count: after.count };
  });
}

/** Account deactivation: every version and key of the user goes, as Synapse does. */
export async function deleteUserKeyBackups(ctx: BackupCtx, input: { userId: string }): Promise<void> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  await ctx.store.transaction(async (tx) => {
    await tx.keyBackups.lockUser(localpart);
    await tx.keyBackups.deleteForUser(localpart);
  });
}
