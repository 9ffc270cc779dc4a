// A logged-in session: a device and one access token on it. Login, registration and
// shared-secret registration all end here.
import type { UserapiTables } from "../storage";
import { newAccessToken, newDeviceId, tokenDigest } from "./secrets";

export interface NewSession {
  deviceId: string;
  accessToken: string;
}

export interface SessionRequest {
  /** Client-chosen device ID; reused (and its older tokens revoked) when it already exists. */
  deviceId?: string | undefined;
  /** Display name for a newly created device; ignored for a known device. */
  displayName?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** Creates (or takes over) the device and issues a fresh token, inside the caller's transaction. */
export async function openSession(tx: UserapiTables, localpart: string, req: SessionRequest, now: number): Promise<NewSession> {
  const deviceId = req.deviceId ?? newDeviceId();
  const created = await tx.devices.insertIfAbsent({
    localpart,
    deviceId,
    displayName: req.displayName ?? null,
    createdTs: now,
    lastSeenIp: req.ip ?? null,
    lastSeenUserAgent: req.userAgent ?? null,
  });
  // The spec lets a login on a known device ID invalidate that device's previous tokens:
  // one live token per device keeps "log out this device" meaning what it says.
  if (!created) await tx.accessTokens.deleteForDevice(localpart, deviceId);
  const accessToken = newAccessToken();
  await tx.accessTokens.insert({ tokenSha256: tokenDigest(accessToken), localpart, deviceId, createdTs: now });
  return { deviceId, accessToken };
}
