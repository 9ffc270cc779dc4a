// POST /keys/query and /keys/claim's work for local users. Users of other servers are listed
// under `failures` by server name: there is no federation to ask them yet.
import { isValidUserId, parseUserId, userIdServerName } from "@dendrite-ts/protocol";
import type { CrossSigningUsage, KeySignatureRow, KeyserverTables } from "../storage";

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

type Json = Record<string, unknown>;

export interface QueriedKeys {
  deviceKeys: Record<string, Record<string, Json>>;
  masterKeys: Record<string, Json>;
  selfSigningKeys: Record<string, Json>;
  /** Only the requester's own, and only when they asked for themselves. */
  userSigningKeys: Record<string, Json>;
  failures: Record<string, Json>;
}

/**
 * Devices' identity keys and users' cross-signing keys, as uploaded, with the signatures
 * uploaded over them since that the requester may see: the owner's, and the requester's own
 * (a user-signing signature of someone else's master key is only the signer's business).
 */
export async function queryDeviceKeys(
  tables: KeyserverTables,
  wanted: Record<string, string[]>,
  serverName: string,
  requesterId?: string,
): Promise<QueriedKeys> {
  const { local, failures } = splitByServer(Object.keys(wanted), serverName);
  const signatures = new Map<string, KeySignatureRow[]>();
  for (const row of await tables.keySignatures.selectVisible(local, requesterId)) {
    const at = `${row.targetUserId}\u0000${row.targetKeyId}`;
    signatures.set(at, [...(signatures.get(at) ?? []), row]);
  }
  const signed = (userId: string, keyId: string, json: string) => withSignatures(JSON.parse(json) as Json, signatures.get(`${userId}\u0000${keyId}`));

  const deviceKeys: QueriedKeys["deviceKeys"] = {};
  for (const u of local) deviceKeys[u] = {};
  for (const row of await tables.deviceKeys.selectForUsers(local)) {
    const devices = wanted[row.userId] ?? [];
    if (devices.length > 0 && !devices.includes(row.deviceId)) continue;
    deviceKeys[row.userId]![row.deviceId] = signed(row.userId, row.deviceId, row.keyJson);
  }
  const cross: Record<CrossSigningUsage, Record<string, Json>> = { master: {}, self_signing: {}, user_signing: {} };
  for (const row of await tables.crossSigningKeys.selectForUsers(local, ["master", "self_signing", "user_signing"])) {
    if (row.usage === "user_signing" && row.userId !== requesterId) continue;
    cross[row.usage][row.userId] = signed(row.userId, row.keyId.slice(row.keyId.indexOf(":") + 1), row.keyJson);
  }
  return { deviceKeys, masterKeys: cross.master, selfSigningKeys: cross.self_signing, userSigningKeys: cross.user_signing, failures };
}

/** The key with the stored signatures added beside those it was uploaded with. */
function withSignatures(key: Json, rows: KeySignatureRow[] | undefined): Json {
  if (!rows) return key;
  const all = { ...(key.signatures as Record<string, Record<string, string>> | undefined) };
  for (const r of rows) all[r.signerUserId] = { ...all[r.signerUserId], [r.signerKeyId]: r.signature };
  return { ...key, signatures: all };
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
