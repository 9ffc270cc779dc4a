// Queries on the key backup tables (migration 0003). A version row outlives its deletion (the
// `deleted` flag), so version numbers are never reused and deleting twice finds the row; every
// read of a backup or its keys skips deleted versions. Writers hold lockUser first.
import { sql } from "drizzle-orm";
import type { Db } from "./db";

/** A backed-up room key as the spec's KeyBackupData has it (session_data is opaque). */
export interface BackupKeyRow {
  roomId: string;
  sessionId: string;
  firstMessageIndex: number;
  forwardedCount: number;
  isVerified: boolean;
  sessionData: Record<string, unknown>;
}

export interface BackupVersionRow {
  version: number;
  algorithm: string;
  authData: Record<string, unknown>;
  etag: number;
  /** Keys stored in this version. */
  count: number;
}

const num = (v: unknown) => Number(v);

function keyRow(r: Record<string, unknown>): BackupKeyRow {
  return {
    roomId: String(r.room_id),
    sessionId: String(r.session_id),
    firstMessageIndex: num(r.first_message_index),
    forwardedCount: num(r.forwarded_count),
    isVerified: Boolean(r.is_verified),
    sessionData: r.session_data as Record<string, unknown>,
  };
}

/** Keys narrowed to one room, or one session of it. */
function scope(roomId: string | undefined, sessionId: string | undefined) {
  if (roomId === undefined) return sql``;
  if (sessionId === undefined) return sql` AND room_id = ${roomId}`;
  return sql` AND room_id = ${roomId} AND session_id = ${sessionId}`;
}

export function keyBackupQueries(db: Db) {
  const rows = async (q: ReturnType<typeof sql>) => (await db.execute(q)) as unknown as Record<string, unknown>[];

  return {
    /** Serialises the caller's transaction with every other backup write of the user, to commit. */
    async lockUser(localpart: string): Promise<void> {
      await db.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${"dendrite-ts:keyserver:key-backup:" + localpart}, 0))`);
    },

    /** A new version numbered one past every version the user ever had, deleted ones included. */
    async createVersion(localpart: string, algorithm: string, authData: Record<string, unknown>): Promise<number> {
      const r = await rows(sql`
        INSERT INTO keyserver.key_backup_versions (localpart, version, algorithm, auth_data)
        SELECT ${localpart}, COALESCE(max(version), 0) + 1, ${algorithm}, ${JSON.stringify(authData)}::jsonb
        FROM keyserver.key_backup_versions WHERE localpart = ${localpart}
        RETURNING version`);
      return num(r[0]!.version);
    },

    /** A live version with its key count; without `version`, the newest live one. */
    async selectVersion(localpart: string, version?: number): Promise<BackupVersionRow | undefined> {
      const which = version === undefined ? sql`` : sql` AND version = ${version}`;
      const r = await rows(sql`
        SELECT v.version, v.algorithm, v.auth_data, v.etag,
          (SELECT count(*) FROM keyserver.key_backup_keys k WHERE k.localpart = v.localpart AND k.version = v.version) AS count
        FROM keyserver.key_backup_versions v
        WHERE v.localpart = ${localpart} AND NOT v.deleted${which}
        ORDER BY v.version DESC LIMIT 1`);
      const v = r[0];
      if (!v) return undefined;
      return {
        version: num(v.version),
        algorithm: String(v.algorithm),
        authData: v.auth_data as Record<string, unknown>,
        etag: num(v.etag),
        count: num(v.count),
      };
    },

    /** Replaces a live version's auth_data; false when there is no such live version. */
    async updateAuthData(localpart: string, version: number, authData: Record<string, unknown>): Promise<boolean> {
      const r = await rows(sql`
        UPDATE keyserver.key_backup_versions SET auth_data = ${JSON.stringify(authData)}::jsonb
        WHERE localpart = ${localpart} AND version = ${version} AND NOT deleted
        RETURNING 1 AS updated`);
      return r.length > 0;
    },

    /**
     * Marks a version deleted and drops its keys; true when the version exists (deleted before
     * or not), false when the user never had it.
     */
    async deleteVersion(localpart: string, version: number): Promise<boolean> {
      await db.execute(sql`DELETE FROM keyserver.key_backup_keys WHERE localpart = ${localpart} AND version = ${version}`);
      const r = await rows(sql`
        UPDATE keyserver.key_backup_versions SET deleted = true
        WHERE localpart = ${localpart} AND version = ${version}
        RETURNING 1 AS found`);
      return r.length > 0;
    },

    /**
     * Stores keys in a version: a session not backed up yet is added; one that is is replaced
     * only when the new key is better by the spec's rules — a verified key over an unverified
     * one, then the lower first_message_index, then the lower forwarded_count (a tie keeps the
     * old key). One statement for the batch; returns how many keys were added or replaced.
     */
    async storeKeys(localpart: string, version: number, keys: readonly BackupKeyRow[]): Promise<number> {
      if (keys.length === 0) return 0;
      const input = keys.map((k) => ({
        room_id: k.roomId,
        session_id: k.sessionId,
        first_message_index: k.firstMessageIndex,
        forwarded_count: k.forwardedCount,
        is_verified: k.isVerified,
        session_data: k.sessionData,
      }));
      const r = await rows(sql`
        INSERT INTO keyserver.key_backup_keys AS k
          (localpart, version, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data)
        SELECT ${localpart}, ${version}, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data
        FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
          AS x(room_id text, session_id text, first_message_index bigint, forwarded_count bigint, is_verified boolean, session_data jsonb)
        ON CONFLICT (localpart, version, room_id, session_id) DO UPDATE
          SET first_message_index = EXCLUDED.first_message_index,
              forwarded_count = EXCLUDED.forwarded_count,
              is_verified = EXCLUDED.is_verified,
              session_data = EXCLUDED.session_data
          WHERE CASE
            WHEN EXCLUDED.is_verified <> k.is_verified THEN EXCLUDED.is_verified
            WHEN EXCLUDED.first_message_index <> k.first_message_index THEN EXCLUDED.first_message_index < k.first_message_index
            ELSE EXCLUDED.forwarded_count < k.forwarded_count
          END
        RETURNING 1 AS stored`);
      return r.length;
    },

    /** A version's keys, all or one room's or one session's. */
    async selectKeys(localpart: string, version: number, roomId?: string, sessionId?: string): Promise<BackupKeyRow[]> {
      const r = await rows(sql`
        SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data
        FROM keyserver.key_backup_keys
        WHERE localpart = ${localpart} AND version = ${version}${scope(roomId, sessionId)}`);
      return r.map(keyRow);
    },

    /** Deletes a version's keys, all or one room's or one session's; how many went. */
    async deleteKeys(localpart: string, version: number, roomId?: string, sessionId?: string): Promise<number> {
      const r = await rows(sql`
        DELETE FROM keyserver.key_backup_keys
        WHERE localpart = ${localpart} AND version = ${version}${scope(roomId, sessionId)}
        RETURNING 1 AS deleted`);
      return r.length;
    },

    /**
     * Every version and key of the user, deleted versions' rows too (account deactivation:
     * nothing of the backup is kept, as Synapse does).
     */
    async deleteForUser(localpart: string): Promise<void> {
      await db.execute(sql`DELETE FROM keyserver.key_backup_keys WHERE localpart = ${localpart}`);
      await db.execute(sql`DELETE FROM keyserver.key_backup_versions WHERE localpart = ${localpart}`);
    },

    /** The version's keys changed: a new etag. */
    async bumpEtag(localpart: string, version: number): Promise<void> {
      await db.execute(sql`UPDATE keyserver.key_backup_versions SET etag = etag + 1 WHERE localpart = ${localpart} AND version = ${version}`);
    },
  };
}
