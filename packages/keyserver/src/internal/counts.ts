// A device's one-time key counts, as /keys/upload and /sync report them.
import type { KeyserverTables } from "../storage";

/**
 * Unclaimed keys per algorithm. signed_curve25519 is always listed, 0 when none is left, as
 * Synapse does: some clients only upload more when they see the count.
 */
export async function oneTimeKeyCounts(tables: KeyserverTables, userId: string, deviceId: string): Promise<Record<string, number>> {
  return { signed_curve25519: 0, ...(await tables.oneTimeKeys.counts(userId, deviceId)) };
}
