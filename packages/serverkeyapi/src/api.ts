/**
 * The serverkeyapi's internal API as a ts-rest contract: what federationapi, federationsender
 * and roomserver call (in-process in the monolith, over HTTP in the polylith). All calls are
 * batched: one round trip for a whole transaction's worth of keys, objects or events. Errors
 * are MatrixErrors (thrown by the impl, rejected by both client adapters), so only 200 is listed.
 */
import { initContract } from "@ts-rest/core";
import { z } from "zod";

const c = initContract();

const jsonObject = z.record(z.unknown());

export const keyRequestSchema = z.object({
  server_name: z.string().min(1),
  key_id: z.string().min(1),
  /** The key must be usable until at least this instant, ms (0: any known key will do). */
  minimum_valid_until_ts: z.number().int(),
});

export const publicKeySchema = z.object({
  server_name: z.string(),
  key_id: z.string(),
  /** Unpadded base64 of the ed25519 public key. */
  key: z.string(),
  /** Capped at 7 days after we fetched it, as the spec requires. */
  valid_until_ts: z.number().int(),
  /** For old keys: signatures made at or after this instant do not count. */
  expired_ts: z.number().int().nullable(),
});

export const signatureCheckSchema = z.object({
  key_id: z.string(),
  result: z.enum(["valid", "bad_signature", "unknown_key", "expired_key", "unsupported_algorithm"]),
});

export const jsonVerificationSchema = z.object({
  /** At least one signature verified and none failed. */
  ok: z.boolean(),
  /** The key that verified (the first, when several did). */
  key_id: z.string().optional(),
  /** Why not, when not ok. */
  error: z.string().optional(),
  checks: z.array(signatureCheckSchema),
});

export const eventVerificationSchema = z.object({
  /** valid: use as received; redacted: use `redacted_event`; rejected: drop. */
  outcome: z.enum(["valid", "redacted", "rejected"]),
  reason: z.string().optional(),
  redacted_event: jsonObject.optional(),
});

export const requestVerificationSchema = z.object({
  ok: z.boolean(),
  /** The sending server, when the header could be read. */
  origin: z.string().optional(),
  key_id: z.string().optional(),
  /** Why not: the 401 message to send back. */
  error: z.string().optional(),
});

/** The spec's "Server Keys" object (loose: extra fields are covered by the signatures). */
export const serverKeysResponseSchema = z
  .object({
    server_name: z.string(),
    verify_keys: z.record(z.object({ key: z.string() }).passthrough()),
    old_verify_keys: z.record(z.object({ key: z.string(), expired_ts: z.number().int() }).passthrough()).optional(),
    signatures: z.record(z.record(z.string())),
    valid_until_ts: z.number().int(),
  })
  .passthrough();

/** The spec's `POST /_matrix/key/v2/query` body. */
export const publicKeyQuerySchema = z.object({
  server_keys: z.record(z.record(z.object({ minimum_valid_until_ts: z.number().int().optional() }).passthrough())),
});

/** Both public query forms, normalised: per server, the minimum validity wanted (null: now). */
export const notaryQuerySchema = z.object({
  servers: z.array(z.object({ server_name: z.string().min(1), minimum_valid_until_ts: z.number().int().nullable() })).max(100),
});

export const serverKeyContract = c.router(
  {
    /** Verified public keys for (server, key ID) pairs, fetched when missing or not valid long enough. */
    queryPublicKeys: {
      method: "POST",
      path: "/serverkeyapi/v1/query-public-keys",
      body: z.object({ requests: z.array(keyRequestSchema).max(1000) }),
      responses: { 200: z.object({ keys: z.array(publicKeySchema) }) },
    },
    /** Checks each object's signatures by `server_name` with keys usable at `valid_at_ts` (default: now). */
    verifyJson: {
      method: "POST",
      path: "/serverkeyapi/v1/verify-json",
      body: z.object({
        requests: z
          .array(z.object({ server_name: z.string().min(1), object: jsonObject, valid_at_ts: z.number().int().optional() }))
          .max(1000),
      }),
      responses: { 200: z.object({ results: z.array(jsonVerificationSchema) }) },
    },
    /** Checks events' signatures and content hashes per the room version's rules. */
    verifyEvents: {
      method: "POST",
      path: "/serverkeyapi/v1/verify-events",
      body: z.object({ room_version: z.string().min(1), events: z.array(jsonObject).max(1000) }),
      responses: { 200: z.object({ results: z.array(eventVerificationSchema) }) },
    },
    /**
     * Checks an incoming federation request's `Authorization: X-Matrix …` header ("Request
     * Authentication"): signed by the origin with a current key, addressed to us. For large
     * bodies in the polylith, `queryPublicKeys` + protocol's `verifyXMatrixAuthorization` avoids
     * shipping the body twice.
     */
    verifyRequest: {
      method: "POST",
      path: "/serverkeyapi/v1/verify-request",
      body: z.object({
        authorization: z.string(),
        method: z.string().min(1),
        /** The full path from `/_matrix/…`, with the query string. */
        uri: z.string().min(1),
        /** Our server name. */
        destination: z.string().min(1),
        /** The parsed JSON body, when the request has one. */
        content: z.unknown().optional(),
      }),
      responses: { 200: requestVerificationSchema },
    },
    /** Our own `/_matrix/key/v2/server` body, signed now. */
    ownKeys: {
      method: "GET",
      path: "/serverkeyapi/v1/own-keys",
      responses: { 200: serverKeysResponseSchema },
    },
    /** Answer a `/_matrix/key/v2/query` as a notary: each server's response with our signature added. */
    notaryQuery: {
      method: "POST",
      path: "/serverkeyapi/v1/notary-query",
      body: notaryQuerySchema,
      responses: { 200: z.object({ server_keys: z.array(serverKeysResponseSchema) }) },
    },
  },
  { strictStatusCodes: true },
);

export type ServerKeyContract = typeof serverKeyContract;
export type KeyRequestBody = z.infer<typeof keyRequestSchema>;
export type PublicKeyInfo = z.infer<typeof publicKeySchema>;
export type JsonVerification = z.infer<typeof jsonVerificationSchema>;
export type EventVerificationResult = z.infer<typeof eventVerificationSchema>;
export type RequestVerification = z.infer<typeof requestVerificationSchema>;
export type ServerKeysResponse = z.infer<typeof serverKeysResponseSchema>;
export type NotaryQuery = z.infer<typeof notaryQuerySchema>;
