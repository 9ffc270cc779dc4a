/**
 * keyserver's internal API as a ts-rest contract: what clientapi and syncapi call, in-process in
 * the monolith and over HTTP in the polylith. Callers have checked the request's shape (the
 * public routes answer M_BAD_JSON); keyserver checks what needs its tables and throws
 * MatrixErrors with the errcode the public endpoint should answer. Every route is a POST.
 */
import { initContract } from "@ts-rest/core";
import type { ContractClient, ContractImpl } from "@dendrite-ts/runtime";
import { z } from "zod";

const c = initContract();

const post = <B extends z.ZodTypeAny, R extends z.ZodTypeAny>(path: string, body: B, response: R, summary: string) =>
  ({ method: "POST", path: `/${path}`, body, responses: { 200: response }, summary }) as const;

const jsonObject = z.record(z.unknown());
/** `<algorithm>:<key_id>` → the key: a bare string (curve25519) or a signed key object. */
const keyMap = z.record(z.union([z.string(), jsonObject]));
const counts = z.record(z.number().int());

export const uploadKeysSchema = z.object({
  userId: z.string().min(1),
  deviceId: z.string().min(1),
  /** The signed device_keys object, kept exactly as given. */
  deviceKeys: jsonObject.optional(),
  oneTimeKeys: keyMap.optional(),
  fallbackKeys: keyMap.optional(),
});
export type UploadKeysRequest = z.input<typeof uploadKeysSchema>;

export const queryKeysSchema = z.object({
  /** User → the device IDs wanted, or [] for all of them. */
  deviceKeys: z.record(z.array(z.string())),
  /** Who asks: their own user-signing key, and the signatures they made, are theirs to see. */
  requesterId: z.string().min(1).optional(),
});

export const uploadSigningKeysSchema = z.object({
  userId: z.string().min(1),
  /** Each key object kept exactly as given (the master key's signature covers the others). */
  masterKey: jsonObject.optional(),
  selfSigningKey: jsonObject.optional(),
  userSigningKey: jsonObject.optional(),
  /** The caller completed user-interactive auth, so existing keys may be replaced. */
  replaceAllowed: z.boolean(),
});
export type UploadSigningKeysRequest = z.input<typeof uploadSigningKeysSchema>;

export const uploadSignaturesSchema = z.object({
  /** The signer. */
  userId: z.string().min(1),
  /** User → key ID (a device ID or a cross-signing public key) → the key with the new signature. */
  signed: z.record(z.record(jsonObject)),
});

/** A server that could not be asked; the spec's `failures` values. */
const failures = z.record(jsonObject);

export const claimKeysSchema = z.object({
  /** User → device → the algorithm to claim a key of. */
  oneTimeKeys: z.record(z.record(z.string())),
});

const device = z.object({ userId: z.string().min(1), deviceId: z.string().min(1) });

const userId = z.string().min(1);
const empty = z.object({});
/** A backed-up room key: the spec's KeyBackupData (session_data is the client's ciphertext). */
export const backedUpKeySchema = z.object({
  first_message_index: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  forwarded_count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  is_verified: z.boolean(),
  session_data: jsonObject,
});
export type BackedUpKey = z.infer<typeof backedUpKeySchema>;
/** Room ID → session ID → key, as PUT and GET /room_keys/keys carry them. */
export const backedUpRoomsSchema = z.record(z.object({ sessions: z.record(backedUpKeySchema) }));
export type BackedUpRooms = z.infer<typeof backedUpRoomsSchema>;
/** A backup version as the client names it: a string (ours are decimal, increasing per user). */
const backupVersion = z.string().min(1);
const backupInfo = z.object({ algorithm: z.string(), auth_data: jsonObject, count: z.number().int(), etag: z.string(), version: z.string() });
const backupKeysChanged = z.object({ etag: z.string(), count: z.number().int() });
/** All of a version's keys, one room's (roomId) or one session's (roomId and sessionId). */
const backupKeysScope = z.object({ userId, version: backupVersion, roomId: z.string().optional(), sessionId: z.string().optional() });

export const keyserverContract = c.router(
  {
    performUploadKeys: post(
      "keys/upload",
      uploadKeysSchema,
      z.object({ oneTimeKeyCounts: counts }),
      "A device publishes its identity keys, one-time keys and fallback keys; a change of identity keys publishes OutputKeyChangeEvent.",
    ),
    queryKeys: post(
      "keys/query",
      queryKeysSchema,
      z.object({
        deviceKeys: z.record(z.record(jsonObject)),
        masterKeys: z.record(jsonObject),
        selfSigningKeys: z.record(jsonObject),
        userSigningKeys: z.record(jsonObject),
        failures,
      }),
      "The identity keys of local users' devices and their cross-signing keys (the user-signing key only to its owner), as uploaded with the signatures the requester may see; remote users' servers are listed in failures (no federation yet).",
    ),
    performUploadSigningKeys: post(
      "keys/device-signing/upload",
      uploadSigningKeysSchema,
      z.object({ authRequired: z.boolean() }),
      "A user's cross-signing keys; authRequired (and nothing written) when they would replace existing keys without user-interactive auth. A change publishes OutputKeyChangeEvent.",
    ),
    performUploadSignatures: post(
      "keys/signatures/upload",
      uploadSignaturesSchema,
      z.object({ failures: z.record(z.record(z.object({ errcode: z.string(), error: z.string() }))) }),
      "Signatures over keys already held; those that fail are listed per user and key, the rest kept. New signatures on the signer's own keys publish OutputKeyChangeEvent.",
    ),
    performClaimKeys: post(
      "keys/claim",
      claimKeysSchema,
      z.object({ oneTimeKeys: z.record(z.record(z.record(z.union([z.string(), jsonObject])))), failures }),
      "Takes one one-time key per device (never the same one twice), or the device's fallback key when none is left.",
    ),
    queryKeyCounts: post(
      "keys/counts",
      device,
      z.object({ oneTimeKeyCounts: counts, unusedFallbackKeyTypes: z.array(z.string()) }),
      "A device's unclaimed one-time keys per algorithm and its fallback key algorithms nobody claimed yet (/sync).",
    ),
    performDeleteDeviceKeys: post(
      "keys/delete-devices",
      z.object({ userId: z.string().min(1), deviceIds: z.array(z.string()) }),
      z.object({}),
      "Deletes every key of devices that were deleted; publishes OutputKeyChangeEvent for those that had identity keys.",
    ),

    // ---- server-side key backups
    createKeyBackup: post(
      "key-backups/create",
      z.object({ userId, algorithm: z.string().min(1), auth_data: jsonObject }),
      z.object({ version: z.string() }),
      "POST /room_keys/version: a new version, which becomes the current one.",
    ),
    queryKeyBackup: post(
      "key-backups/get",
      z.object({ userId, version: backupVersion.optional() }),
      backupInfo,
      "GET /room_keys/version[/{version}]: the version (default the current one) with its key count and etag; M_NOT_FOUND.",
    ),
    updateKeyBackup: post(
      "key-backups/update",
      z.object({ userId, version: backupVersion, algorithm: z.string(), auth_data: jsonObject }),
      empty,
      "PUT /room_keys/version/{version}: replace auth_data; M_NOT_FOUND, M_INVALID_PARAM (algorithm differs).",
    ),
    deleteKeyBackup: post(
      "key-backups/delete",
      z.object({ userId, version: backupVersion }),
      empty,
      "DELETE /room_keys/version/{version}: the version and its keys (again: succeeds); M_NOT_FOUND for one never created.",
    ),
    storeBackupKeys: post(
      "key-backups/keys/store",
      z.object({ userId, version: backupVersion, rooms: backedUpRoomsSchema }),
      backupKeysChanged,
      "PUT /room_keys/keys*: keys into the current version, replacing one only by the spec's rules; M_NOT_FOUND, " +
        "403 M_WRONG_ROOM_KEYS_VERSION with current_version.",
    ),
    queryBackupKeys: post(
      "key-backups/keys/get",
      backupKeysScope,
      z.object({ rooms: backedUpRoomsSchema }),
      "GET /room_keys/keys*: the version's keys in scope (rooms without keys left out); M_NOT_FOUND (no such version).",
    ),
    deleteBackupKeys: post(
      "key-backups/keys/delete",
      backupKeysScope,
      backupKeysChanged,
      "DELETE /room_keys/keys*: the version's keys in scope; M_NOT_FOUND (no such version).",
    ),
    performDeleteKeyBackups: post(
      "key-backups/delete-user",
      z.object({ userId }),
      empty,
      "Account deactivation: every backup version and key of the user, gone (as Synapse does).",
    ),
  },
  { pathPrefix: "/_dendrite/keyserver/v1", strictStatusCodes: true },
);

export type KeyserverContract = typeof keyserverContract;
/** What createKeyserver returns: the contract's server side. */
export type KeyserverApi = ContractImpl<KeyserverContract>;
/** What callers hold, in-process or remote. */
export type KeyserverClient = ContractClient<KeyserverContract>;
/**
 * clientapi: the /keys routes, deleting a device's keys with the device, the /room_keys routes
 * and deleting a deactivated account's backups.
 */
export type KeyserverForClient = Pick<
  KeyserverClient,
  | "performUploadKeys"
  | "queryKeys"
  | "performClaimKeys"
  | "performDeleteDeviceKeys"
  | "performUploadSigningKeys"
  | "performUploadSignatures"
  | "createKeyBackup"
  | "queryKeyBackup"
  | "updateKeyBackup"
  | "deleteKeyBackup"
  | "storeBackupKeys"
  | "queryBackupKeys"
  | "deleteBackupKeys"
  | "performDeleteKeyBackups"
>;
/** syncapi: the syncing device's key counts. */
export type KeyserverForSync = Pick<KeyserverClient, "queryKeyCounts">;
