// Devices of local users: list, get, rename, delete (tokens go with them), last-seen updates.
import { MatrixError } from "@dendrite-ts/protocol";
import type { DeviceRow } from "../storage";
import type { Ctx } from "./context";
import { localpartOf, userIdOf } from "./user-ids";

export interface DeviceInfo {
  userId: string;
  deviceId: string;
  displayName: string | null;
  lastSeenTs: number | null;
  lastSeenIp: string | null;
  lastSeenUserAgent: string | null;
}

function toInfo(row: DeviceRow, serverName: string): DeviceInfo {
  return {
    userId: userIdOf(row.localpart, serverName),
    deviceId: row.deviceId,
    displayName: row.displayName,
    lastSeenTs: row.lastSeenTs,
    lastSeenIp: row.lastSeenIp,
    lastSeenUserAgent: row.lastSeenUserAgent,
  };
}

export async function listDevices(ctx: Ctx, userId: string): Promise<DeviceInfo[]> {
  const rows = await ctx.store.devices.selectAll(localpartOf(userId, ctx.serverName));
  return rows.map((r) => toInfo(r, ctx.serverName));
}

export async function getDevice(ctx: Ctx, userId: string, deviceId: string): Promise<DeviceInfo> {
  const row = await ctx.store.devices.select(localpartOf(userId, ctx.serverName), deviceId);
  if (!row) throw new MatrixError("M_NOT_FOUND", "Unknown device");
  return toInfo(row, ctx.serverName);
}

export async function renameDevice(ctx: Ctx, userId: string, deviceId: string, displayName: string | null): Promise<void> {
  const found = await ctx.store.devices.updateDisplayName(localpartOf(userId, ctx.serverName), deviceId, displayName);
  if (!found) throw new MatrixError("M_NOT_FOUND", "Unknown device");
}

/** Deletes devices and their tokens. Unknown IDs are ignored, as `/delete_devices` asks. */
export async function deleteDevices(ctx: Ctx, userId: string, deviceIds: string[]): Promise<{ deletedDeviceIds: string[] }> {
  const deletedDeviceIds = await ctx.store.devices.delete(localpartOf(userId, ctx.serverName), deviceIds);
  return { deletedDeviceIds };
}

export async function deleteAllDevices(ctx: Ctx, userId: string, exceptDeviceId?: string): Promise<{ deletedDeviceIds: string[] }> {
  const deletedDeviceIds = await ctx.store.devices.deleteAllExcept(localpartOf(userId, ctx.serverName), exceptDeviceId);
  return { deletedDeviceIds };
}

/** Callers throttle this (once a minute per device, say): it is a write per call. */
export async function markDeviceSeen(
  ctx: Ctx,
  input: { userId: string; deviceId: string; ip?: string | undefined; userAgent?: string | undefined },
): Promise<void> {
  await ctx.store.devices.updateLastSeen(
    localpartOf(input.userId, ctx.serverName),
    input.deviceId,
    ctx.now(),
    input.ip ?? null,
    input.userAgent ?? null,
  );
}
