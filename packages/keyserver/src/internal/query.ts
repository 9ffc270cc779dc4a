// POST /keys/query and /keys/claim's work for local users. Users of other servers are listed
// under `failures` by server name: there is no federation to ask them yet.
import { isValidUserId, parseUserId, userIdServerName } from "@dendrite-ts/protocol";
import type { KeyserverTables } from "../storage";

const NO_FEDERATION = { status: 503, message: "Federation is not available on this server" };

/** Splits requested user IDs into ours and the other servers'; malformed IDs are skipped (Synapse ignores them). */
export function splitByServer(userIds: string[], serverName: string): { local: string[]; failures: Record<string, Record<string, unknown>> } {
  const local: string[] = [];
  const failures: Record<string, Record<string, unknown>> = {};
  for (const u of userIds) {
    if (!isValidUserId(u)) continue;
    const server = userIdServerName(parseUserId(u));
    if (server === serverName) local.push(u);
    else failures[server] = NO_FEDERATION;
  }
  return { local, failures };
}

export async function queryDeviceKeys(
  tables: KeyserverTables,
  wanted: Record<string, string[]>,
  serverName: string,
): Promise<{ deviceKeys: Record<string, Record<string, Record<string, unknown>>>; failures: Record<string, Record<string, unknown>> }> {
  const { local, failures } = splitByServer(Object.keys(wanted), serverName);
  const deviceKeys: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const u of local) deviceKeys[u] = {};
  for (const row of await tables.deviceKeys.selectForUsers(local)) {
    const devices = wanted[row.userId] ?? [];
    if (devices.length > 0 && !devices.includes(row.deviceId)) continue;
    deviceKeys[row.userId]![row.deviceId] = JSON.parse(row.keyJson) as Record<string, unknown>;
  }
  return { deviceKeys, failures };
}

/** User → device → `<algorithm>:<key_id>` → the key as uploaded. */
type Claimed = Record<string, Record<string, Record<string, string | Record<string, unknown>>>>;

export async function claimKeys(
  tables: KeyserverTables,
  wanted: Record<string, Record<string, string>>,
  serverName: string,
): Promise<{ oneTimeKeys: Claimed; failures: Record<string, Record<string, unknown>> }> {
  const { local, failures } = splitByServer(Object.keys(wanted), serverName);
  const oneTimeKeys: Claimed = {};
  for (const userId of local) {
    for (const [deviceId, algorithm] of Object.entries(wanted[userId] ?? {})) {
      const key =
        (await tables.oneTimeKeys.claimOne(userId, deviceId, algorithm)) ??
        (await tables.fallbackKeys.claim(userId, deviceId, algorithm));
      if (!key) continue;
      const value = JSON.parse(key.keyJson) as string | Record<string, unknown>;
      (oneTimeKeys[userId] ??= {})[deviceId] = { [`${key.algorithm}:${key.keyId}`]: value };
    }
  }
  return { oneTimeKeys, failures };
}
