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
  },
  { pathPrefix: "/_dendrite/keyserver/v1", strictStatusCodes: true },
);

export type KeyserverContract = typeof keyserverContract;
/** What createKeyserver returns: the contract's server side. */
export type KeyserverApi = ContractImpl<KeyserverContract>;
/** What callers hold, in-process or remote. */
export type KeyserverClient = ContractClient<KeyserverContract>;
/** clientapi: the /keys routes, and deleting a device's keys with the device. */
export type KeyserverForClient = Pick<
  KeyserverClient,
  | "performUploadKeys"
  | "queryKeys"
  | "performClaimKeys"
  | "performDeleteDeviceKeys"
  | "performUploadSigningKeys"
  | "performUploadSignatures"
>;
/** syncapi: the syncing device's key counts. */
export type KeyserverForSync = Pick<KeyserverClient, "queryKeyCounts">;
