// Profiles of local users (client-server API, "Profiles"): displayname, avatar_url and, since
// v1.16, any other field (`m.tz`, custom keys). Sending the m.room.member updates that follow a
// displayname or avatar_url change is clientapi's job; the writers return the new
// displayname/avatar_url and whether the field changed, so it can skip a no-op.
import { MatrixError } from "@dendrite-ts/protocol";
import type { ProfileRow } from "../storage";
import type { Ctx } from "./context";
import { localpartOf } from "./user-ids";

export interface Profile {
  displayname: string | null;
  avatar_url: string | null;
}

export interface ProfileChange extends Profile {
  /** The field's stored value differs from before the write. */
  changed: boolean;
}

/** Generous caps: displayname and avatar_url travel in every member event of the user's rooms. */
const MAX_DISPLAYNAME = 256;
const MAX_AVATAR_URL = 1000;
/** The spec's limits: the whole profile "MUST be under 64 KiB"; keys at most 255 bytes. */
const MAX_PROFILE_BYTES = 64 * 1024;
const MAX_KEY_BYTES = 255;
/** profile.yaml's keyName pattern: the three defined keys or a namespaced identifier. */
const KEY_GRAMMAR = /^(avatar_url|displayname|m\.tz|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/;
/** Keys whose value the spec fixes as a string; custom keys take any JSON. */
const STRING_KEYS: Record<string, number | undefined> = { displayname: MAX_DISPLAYNAME, avatar_url: MAX_AVATAR_URL, "m.tz": undefined };

type Fields = Record<string, unknown>;

export function checkProfileKey(key: string): void {
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
    throw new MatrixError("M_KEY_TOO_LARGE", `Profile keys must not exceed ${MAX_KEY_BYTES} bytes`);
  }
  if (!KEY_GRAMMAR.test(key)) throw new MatrixError("M_INVALID_PARAM", `Invalid profile key '${key}'`);
}

function checkValue(key: string, value: unknown): void {
  if (value === undefined) throw new MatrixError("M_MISSING_PARAM", `Missing key '${key}'`);
  if (!(key in STRING_KEYS)) return;
  // null is refused rather than stored: it used to mean "delete", which is DELETE's job now.
  if (typeof value !== "string") throw new MatrixError("M_INVALID_PARAM", `'${key}' must be a string`);
  const max = STRING_KEYS[key];
  if (max !== undefined && value.length > max) throw new MatrixError("M_INVALID_PARAM", `'${key}' must not exceed ${max} characters`);
}

/** The profile as the client sees it: every set field, displayname and avatar_url included. */
function fieldsOf(row: ProfileRow | undefined): Fields {
  if (!row) return {};
  return {
    ...(row.displayname !== null ? { displayname: row.displayname } : {}),
    ...(row.avatarUrl !== null ? { avatar_url: row.avatarUrl } : {}),
    ...row.custom,
  };
}

function rowOf(fields: Fields): ProfileRow {
  const { displayname, avatar_url, ...custom } = fields;
  return { displayname: (displayname as string | undefined) ?? null, avatarUrl: (avatar_url as string | undefined) ?? null, custom };
}

function profileOf(row: ProfileRow | undefined): Profile {
  return { displayname: row?.displayname ?? null, avatar_url: row?.avatarUrl ?? null };
}

async function readRow(ctx: Ctx, userId: string): Promise<ProfileRow | undefined> {
  const localpart = localpartOf(userId, ctx.serverName);
  const [account, row] = await Promise.all([ctx.store.accounts.select(localpart), ctx.store.profiles.select(localpart)]);
  if (!account) throw new MatrixError("M_NOT_FOUND", "Profile not found");
  return row;
}

export async function getProfile(ctx: Ctx, userId: string): Promise<Profile> {
  return profileOf(await readRow(ctx, userId));
}

/** Every field the user has set. */
export async function getProfileFields(ctx: Ctx, userId: string): Promise<Fields> {
  return fieldsOf(await readRow(ctx, userId));
}

/** One field's value; M_NOT_FOUND when the user or the field does not exist. */
export async function getProfileField(ctx: Ctx, userId: string, key: string): Promise<unknown> {
  checkProfileKey(key);
  const fields = fieldsOf(await readRow(ctx, userId));
  if (!Object.hasOwn(fields, key)) throw new MatrixError("M_NOT_FOUND", `No '${key}' in this profile`);
  return fields[key];
}

/**
 * Sets (`value` given) or removes (undefined) one field. The account row is locked so one
 * user's writes take turns: the size check sees the profile the write replaces.
 */
async function writeField(ctx: Ctx, userId: string, key: string, value: unknown): Promise<ProfileChange> {
  const localpart = localpartOf(userId, ctx.serverName);
  return ctx.store.transaction(async (tx) => {
    const account = await tx.accounts.select(localpart, true);
    if (!account) throw new MatrixError("M_NOT_FOUND", "Profile not found");
    if (account.deactivated) throw new MatrixError("M_USER_DEACTIVATED", "This account has been deactivated");
    const current = await tx.profiles.select(localpart);
    const before = fieldsOf(current);
    const after = { ...before };
    if (value === undefined) delete after[key];
    else after[key] = value;
    if (value !== undefined && Buffer.byteLength(JSON.stringify(after), "utf8") > MAX_PROFILE_BYTES) {
      throw new MatrixError("M_PROFILE_TOO_LARGE", `The profile would exceed ${MAX_PROFILE_BYTES} bytes`);
    }
    const changed = Object.hasOwn(before, key) !== Object.hasOwn(after, key) || !sameJson(before[key], after[key]);
    if (!changed) return { ...profileOf(current), changed };
    return { ...profileOf(await tx.profiles.upsert(localpart, rowOf(after))), changed };
  });
}

export async function setProfileField(ctx: Ctx, userId: string, key: string, value: unknown): Promise<ProfileChange> {
  checkProfileKey(key);
  checkValue(key, value);
  return writeField(ctx, userId, key, value);
}

/** Removing a field that is not set succeeds (the spec: "deleted or it doesn't exist"). */
export async function deleteProfileField(ctx: Ctx, userId: string, key: string): Promise<ProfileChange> {
  checkProfileKey(key);
  return writeField(ctx, userId, key, undefined);
}

/** Structural equality of two JSON values (key order does not matter: jsonb reorders keys). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Fields)[k], (b as Fields)[k]));
}
