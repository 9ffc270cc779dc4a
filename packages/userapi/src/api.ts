/**
 * userapi's internal API as a ts-rest contract: the same operations in-process (localClient)
 * and over HTTP (httpClient / mountContract). Failures are MatrixErrors with the errcode the
 * public endpoint should answer (M_FORBIDDEN, M_USER_IN_USE, M_UNKNOWN_TOKEN …); the one
 * exception is UIA, whose 401 challenge is a normal result clientapi sends on.
 * Every route is a POST with a JSON body: an RPC surface, not a REST one. Paths carry no
 * component prefix; mountContract's `prefix` adds one where listeners are shared.
 */
import { initContract } from "@ts-rest/core";
import type { ContractClient, ContractImpl } from "@dendrite-ts/runtime";
import { z } from "zod";

const c = initContract();

const post = <B extends z.ZodTypeAny, R extends z.ZodTypeAny>(path: string, body: B, response: R, summary: string) =>
  ({ method: "POST", path: `/${path}`, body, responses: { 200: response }, summary }) as const;

const empty = z.object({});
const userId = z.string().min(1);
const jsonObject = z.record(z.unknown());
const deleted = z.object({ deletedDeviceIds: z.array(z.string()) });

/** Where a new session's device comes from (login, registration). */
export const sessionRequestSchema = z.object({
  /** Client-chosen device ID; a known one is taken over (its old tokens revoked). */
  deviceId: z.string().min(1).max(255).optional(),
  /** `initial_device_display_name`; ignored for a known device. */
  displayName: z.string().max(255).optional(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
});

export const createAccountSchema = z.object({
  localpart: z.string().optional(),
  password: z.string().optional(),
  accountType: z.enum(["user", "guest", "appservice"]).optional(),
  userType: z.string().optional(),
  isAdmin: z.boolean().optional(),
  displayName: z.string().optional(),
  /** Omit for `inhibit_login`. */
  login: sessionRequestSchema.optional(),
  /** The completed `register` UIA session this registration spends. */
  uiaSession: z.string().optional(),
});
export type CreateAccountRequest = z.input<typeof createAccountSchema>;

const newSession = z.object({ userId, deviceId: z.string(), accessToken: z.string() });

/** The user identifier of a login or `m.login.password` auth dict (other identifier types pass through). */
const identifier = z.object({ type: z.string(), user: z.string().optional() }).passthrough();

export const passwordLoginSchema = sessionRequestSchema.extend({
  identifier: identifier.optional(),
  /** Deprecated top-level `user`. */
  user: z.string().optional(),
  password: z.string(),
});

export const tokenInfoSchema = z.object({
  userId,
  deviceId: z.string(),
  isAdmin: z.boolean(),
  accountType: z.string(),
  /** Suspended by an admin (spec "Account suspension"): clientapi refuses what that forbids. */
  suspended: z.boolean(),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

export const deviceSchema = z.object({
  userId,
  deviceId: z.string(),
  displayName: z.string().nullable(),
  lastSeenTs: z.number().nullable(),
  lastSeenIp: z.string().nullable(),
  lastSeenUserAgent: z.string().nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const uiaPurposeSchema = z.enum(["register", "delete_devices", "change_password", "deactivate", "upload_signing_keys"]);

/** The 401 body of the spec's User-Interactive Authentication API. */
export const uiaChallengeSchema = z.object({
  flows: z.array(z.object({ stages: z.array(z.string()) })),
  params: z.record(jsonObject),
  session: z.string(),
  completed: z.array(z.string()).optional(),
  errcode: z.string().optional(),
  error: z.string().optional(),
});
export type UiaChallengeBody = z.infer<typeof uiaChallengeSchema>;

export const uiaResultSchema = z.discriminatedUnion("done", [
  z.object({ done: z.literal(true), session: z.string(), completed: z.array(z.string()) }),
  /** Send `challenge` as the body of a 401. */
  z.object({ done: z.literal(false), challenge: uiaChallengeSchema }),
]);

export const profileSchema = z.object({ displayname: z.string().nullable(), avatar_url: z.string().nullable() });
export type ProfileBody = z.infer<typeof profileSchema>;
/** After a profile write: the new displayname/avatar_url, and whether the written field changed. */
export const profileChangeSchema = profileSchema.extend({ changed: z.boolean() });
export type ProfileChangeBody = z.infer<typeof profileChangeSchema>;
/** A profile field name (profile.yaml's keyName; userapi checks the grammar and the 255-byte cap). */
const profileKey = z.string();

const registrationToken = z.object({
  token: z.string(),
  usesAllowed: z.number().int().nullable(),
  completed: z.number().int(),
  expiryTs: z.number().nullable(),
  createdTs: z.number(),
});

const accountDataEntry = z.object({
  roomId: z.string().nullable(),
  type: z.string(),
  content: jsonObject,
  streamPos: z.number(),
});
const accountDataKey = z.object({ userId, roomId: z.string().nullable().optional(), type: z.string().min(1).max(255) });
const tagsBody = z.object({ tags: z.record(jsonObject) });

const accountInfoSchema = z.object({
  userId,
  isAdmin: z.boolean(),
  deactivated: z.boolean(),
  locked: z.boolean(),
  suspended: z.boolean(),
  accountType: z.enum(["user", "guest", "appservice"]),
  userType: z.string().nullable(),
  createdTs: z.number(),
});

/** A pusher as /pushers/set takes it and GET /pushers lists it; userapi checks kind, url and lengths. */
export const pusherSchema = z.object({
  appId: z.string(),
  pushkey: z.string(),
  kind: z.string(),
  appDisplayName: z.string(),
  deviceDisplayName: z.string(),
  profileTag: z.string().optional(),
  lang: z.string(),
  data: jsonObject,
});
export type PusherBody = z.infer<typeof pusherSchema>;

export const uiaRequestSchema = z.object({
  purpose: uiaPurposeSchema,
  /** The authenticated requester; required for every purpose but `register`. */
  userId: userId.optional(),
  /** The request's `auth` dict, passed through whole; omitted on the first request. */
  auth: z.object({ type: z.string().optional(), session: z.string().optional() }).passthrough().optional(),
});

const createTokenSchema = z.object({
  /** Omitted: a random one. */
  token: z.string().optional(),
  /** null or omitted: unlimited. */
  usesAllowed: z.number().int().min(0).nullable().optional(),
  /** ms since the epoch; null or omitted: never expires. */
  expiryTs: z.number().nullable().optional(),
});

/** Synapse's request body, field names included, so its tools work unchanged. */
export const sharedSecretRegisterSchema = z.object({
  nonce: z.string(),
  username: z.string(),
  password: z.string(),
  admin: z.boolean().optional(),
  user_type: z.string().nullable().optional(),
  displayname: z.string().optional(),
  mac: z.string(),
});

export const userapiContract = c.router({
  // ---- accounts
  createAccount: post(
    "accounts/create",
    createAccountSchema,
    z.object({ userId, deviceId: z.string().optional(), accessToken: z.string().optional() }),
    "Create an account (registration, admin tools); optionally log it in.",
  ),
  checkUsernameAvailable: post(
    "accounts/available",
    z.object({ username: z.string() }),
    z.object({ available: z.literal(true) }),
    "Valid and free, or M_INVALID_USERNAME / M_USER_IN_USE.",
  ),
  queryAccount: post(
    "accounts/query",
    z.object({ userId }),
    accountInfoSchema,
    "An account's flags.",
  ),
  changePassword: post(
    "accounts/password",
    z.object({ userId, newPassword: z.string(), logoutDevices: z.boolean().optional(), exceptDeviceId: z.string().optional() }),
    deleted,
    "Set a new password; other devices are logged out unless logoutDevices is false.",
  ),
  deactivateAccount: post(
    "accounts/deactivate",
    z.object({ userId }),
    deleted,
    "Deactivate: revoke all tokens, clear the profile, never reissue the ID.",
  ),
  setAccountModeration: post(
    "accounts/moderation",
    z.object({ userId, locked: z.boolean().optional(), suspended: z.boolean().optional() }),
    z.object({ locked: z.boolean(), suspended: z.boolean() }),
    "Lock/unlock, suspend/unsuspend (omitted flags stay); effective at once for every token. M_NOT_FOUND (unknown or deactivated).",
  ),
  // ---- login and tokens
  passwordLogin: post(
    "login/password",
    passwordLoginSchema,
    newSession,
    "m.login.password: M_FORBIDDEN on bad credentials, M_USER_DEACTIVATED.",
  ),
  createSession: post(
    "login/session",
    sessionRequestSchema.extend({ userId }),
    newSession,
    "Log an existing, active user in without a password (appservice, SSO, login tokens): device + token.",
  ),
  queryAccessToken: post(
    "tokens/query",
    /** allowLocked: only for the routes a locked account may still use (POST /logout, /logout/all). */
    z.object({ accessToken: z.string(), allowLocked: z.boolean().optional() }),
    tokenInfoSchema,
    "Resolve a token; M_UNKNOWN_TOKEN when unknown or revoked; 401 M_USER_LOCKED (soft_logout) for a locked account unless allowLocked.",
  ),
  logout: post(
    "tokens/logout",
    z.object({ accessToken: z.string() }),
    deleted.extend({ userId }),
    "Delete the token's device and its tokens.",
  ),
  logoutAll: post("tokens/logout-all", z.object({ userId }), deleted, "Delete every device and token of the user."),
  // ---- devices
  queryDevices: post(
    "devices/list",
    z.object({ userId }),
    z.object({ devices: z.array(deviceSchema) }),
    "A user's devices.",
  ),
  queryDevice: post(
    "devices/get",
    z.object({ userId, deviceId: z.string() }),
    deviceSchema,
    "One device; M_NOT_FOUND.",
  ),
  updateDevice: post(
    "devices/update",
    z.object({ userId, deviceId: z.string(), displayName: z.string().max(255).nullable() }),
    empty,
    "Rename a device; M_NOT_FOUND.",
  ),
  deleteDevices: post(
    "devices/delete",
    z.object({ userId, deviceIds: z.array(z.string()) }),
    deleted,
    "Delete devices and their tokens; unknown IDs are ignored.",
  ),
  markDeviceSeen: post(
    "devices/seen",
    z.object({ userId, deviceId: z.string(), ip: z.string().optional(), userAgent: z.string().optional() }),
    empty,
    "Record last-seen time/IP/UA (callers throttle).",
  ),
  // ---- user-interactive auth and registration
  userInteractiveAuth: post(
    "uia",
    uiaRequestSchema,
    uiaResultSchema,
    "One UIA round: done, or the 401 challenge to send.",
  ),
  registrationTokenValidity: post(
    "registration-tokens/validity",
    z.object({ token: z.string() }),
    z.object({ valid: z.boolean() }),
    "GET /register/m.login.registration_token/validity; M_FORBIDDEN when tokens are off.",
  ),
  createRegistrationToken: post(
    "registration-tokens/create",
    createTokenSchema,
    registrationToken,
    "Admin: create a registration token.",
  ),
  listRegistrationTokens: post(
    "registration-tokens/list",
    empty,
    z.object({ tokens: z.array(registrationToken.extend({ pending: z.number().int() })) }),
    "Admin: list tokens with pending/completed uses.",
  ),
  deleteRegistrationToken: post(
    "registration-tokens/delete",
    z.object({ token: z.string() }),
    empty,
    "Admin: delete a token.",
  ),
  sharedSecretNonce: post(
    "shared-secret/nonce",
    empty,
    z.object({ nonce: z.string() }),
    "GET /_synapse/admin/v1/register.",
  ),
  sharedSecretRegister: post(
    "shared-secret/register",
    sharedSecretRegisterSchema,
    z.object({ user_id: z.string(), access_token: z.string(), device_id: z.string(), home_server: z.string() }),
    "POST /_synapse/admin/v1/register (HMAC-SHA1, single-use nonce).",
  ),
  // ---- profiles
  queryProfile: post("profiles/get", z.object({ userId }), profileSchema, "A local user's profile; M_NOT_FOUND."),
  queryProfileFields: post(
    "profiles/fields/get-all",
    z.object({ userId }),
    z.object({ fields: jsonObject }),
    "Every field a local user has set, displayname and avatar_url included; M_NOT_FOUND.",
  ),
  queryProfileField: post(
    "profiles/fields/get",
    z.object({ userId, key: profileKey }),
    z.object({ value: z.unknown() }),
    "One field's value; M_NOT_FOUND (no such user or field), M_INVALID_PARAM / M_KEY_TOO_LARGE (bad key).",
  ),
  setProfileField: post(
    "profiles/fields/set",
    z.object({ userId, key: profileKey, value: z.unknown() }),
    profileChangeSchema,
    "Set any field (displayname, avatar_url, m.tz: strings, never null; custom keys: any JSON). M_MISSING_PARAM (no value), " +
      "M_PROFILE_TOO_LARGE (64 KiB in all). Member-event fan-out is the caller's, when `changed`.",
  ),
  deleteProfileField: post(
    "profiles/fields/delete",
    z.object({ userId, key: profileKey }),
    profileChangeSchema,
    "Remove one field (succeeds when it is not set).",
  ),
  // ---- account data and tags
  setAccountData: post(
    "account-data/set",
    accountDataKey.extend({ content: jsonObject }),
    z.object({ streamPos: z.number() }),
    "Set global (roomId null) or room account data; publishes OutputClientData.",
  ),
  queryAccountData: post(
    "account-data/get",
    accountDataKey,
    z.object({ content: jsonObject }),
    "One entry; M_NOT_FOUND.",
  ),
  queryAccountDataSince: post(
    "account-data/since",
    z.object({ userId, since: z.number().int().min(0), upTo: z.number().int().optional() }),
    z.object({ entries: z.array(accountDataEntry), maxStreamPos: z.number() }),
    "Entries changed after a stream position (0 = all), for sync.",
  ),
  queryTags: post("tags/get", z.object({ userId, roomId: z.string() }), tagsBody, "The room's m.tag content."),
  setTag: post(
    "tags/set",
    z.object({ userId, roomId: z.string(), tag: z.string().min(1), content: jsonObject }),
    empty,
    "Add or replace one tag (m.tag account data).",
  ),
  deleteTag: post("tags/delete", z.object({ userId, roomId: z.string(), tag: z.string() }), empty, "Remove one tag."),

  // ---- pushers
  setPusher: post(
    "pushers/set",
    z.object({ userId, deviceId: z.string(), pusher: pusherSchema, append: z.boolean().optional() }),
    empty,
    "Create or replace the user's pusher (app_id, pushkey), owned by deviceId (it goes when the device does). Without append, " +
      "other users' pushers with that app_id and pushkey are removed. M_INVALID_PARAM (kind, data.url, format, lengths), " +
      "M_MISSING_PARAM (http without data.url), M_THREEPID_NOT_FOUND (email).",
  ),
  deletePusher: post(
    "pushers/delete",
    z.object({ userId, appId: z.string(), pushkey: z.string() }),
    empty,
    "Remove the user's pusher (app_id, pushkey); succeeds when there is none.",
  ),
  queryPushers: post("pushers/list", z.object({ userId }), z.object({ pushers: z.array(pusherSchema) }), "The user's pushers."),

  // ---- notifications
  queryNotifications: post(
    "notifications/list",
    z.object({
      userId,
      /** Only notifications older than this position (a previous answer's nextBefore). */
      before: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000),
      onlyHighlight: z.boolean().default(false),
    }),
    z.object({
      notifications: z.array(
        z.object({
          roomId: z.string(),
          eventId: z.string(),
          ts: z.number(),
          actions: z.array(z.union([z.string(), jsonObject])),
          read: z.boolean(),
        }),
      ),
      /** Set when there may be more: pass it as `before`. */
      nextBefore: z.number().int().optional(),
    }),
    "The user's notifications, newest first (GET /notifications), each with its actions and whether it is read.",
  ),
});

export type UserapiContract = typeof userapiContract;
/** What createUserapi returns and mountContract serves. */
export type UserapiApi = ContractImpl<UserapiContract>;
/** What callers hold, in-process or remote. */
export type UserapiClient = ContractClient<UserapiContract>;

/** clientapi: registration, login, devices, profiles, account data, tags, pushers. */
export type UserapiForClient = UserapiClient;
/** syncapi: authenticate, then read account data (changes arrive on OutputClientData). */
export type UserapiForSync = Pick<
  UserapiClient,
  "queryAccessToken" | "queryAccountData" | "queryAccountDataSince" | "queryTags" | "queryDevices"
>;
/** Any public-facing component that only authenticates requests (mediaapi …). */
export type UserapiForAuth = Pick<UserapiClient, "queryAccessToken">;
/** federationapi: profile queries and device lists of local users. */
export type UserapiForFederation = Pick<UserapiClient, "queryProfile" | "queryDevices">;
