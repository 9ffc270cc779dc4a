// Queries on keyserver.key_signatures: signatures uploaded after the key they sign (a device
// signed by its user's self-signing key, a master key by a device or another user's
// user-signing key), merged into the key's `signatures` when it is queried.
import { and, eq, inArray, or } from "drizzle-orm";
import type { Db } from "./db";
import { keySignatures } from "./schema";

export interface KeySignatureRow {
  signerUserId: string;
  signerKeyId: string;
  targetUserId: string;
  targetKeyId: string;
  signature: string;
}

export function keySignatureQueries(db: Db) {
  return {
    /** A repeated signature by the same key replaces the old one. */
    async upsert(row: KeySignatureRow): Promise<void> {
      await db
        .insert(keySignatures)
        .values(row)
        .onConflictDoUpdate({
          target: [keySignatures.targetUserId, keySignatures.targetKeyId, keySignatures.signerUserId, keySignatures.signerKeyId],
          set: { signature: row.signature },
        });
    },

    /** Signatures on these users' keys made by the users themselves or by `viewer`. */
    async selectVisible(targetUserIds: string[], viewer: string | undefined): Promise<KeySignatureRow[]> {
      if (targetUserIds.length === 0) return [];
      const bySelfOrViewer = viewer === undefined
        ? eq(keySignatures.signerUserId, keySignatures.targetUserId)
        : or(eq(keySignatures.signerUserId, keySignatures.targetUserId), eq(keySignatures.signerUserId, viewer));
      return db
        .select({
          signerUserId: keySignatures.signerUserId,
          signerKeyId: keySignatures.signerKeyId,
          targetUserId: keySignatures.targetUserId,
          targetKeyId: keySignatures.targetKeyId,
          signature: keySignatures.signature,
        })
        .from(keySignatures)
        .where(and(inArray(keySignatures.targetUserId, targetUserIds), bySelfOrViewer));
    },

    /** Signatures over these keys of the user go: the devices were deleted or their keys replaced. */
    async deleteForTargets(userId: string, keyIds: string[]): Promise<void> {
      if (keyIds.length === 0) return;
      await db.delete(keySignatures).where(and(eq(keySignatures.targetUserId, userId), inArray(keySignatures.targetKeyId, keyIds)));
    },

    /** A replaced cross-signing key's signatures go: those it made and those made over it. */
    async deleteForKey(userId: string, keyId: string, publicKey: string): Promise<void> {
      await db
        .delete(keySignatures)
        .where(
          or(
            and(eq(keySignatures.signerUserId, userId), eq(keySignatures.signerKeyId, keyId)),
            and(eq(keySignatures.targetUserId, userId), eq(keySignatures.targetKeyId, publicKey)),
          ),
        );
    },
  };
}
