/**
 * User IDs (appendices, "User Identifiers" and "Historical User IDs"): `@localpart:domain`,
 * at most 255 bytes. New IDs use `[a-z0-9._=/+-]+`; received ones may carry any non-surrogate
 * code point except `:` and NUL, even an empty localpart, and we MUST accept them.
 */
import { InvalidIdentifierError, MAX_IDENTIFIER_BYTES, isOpaqueLocalpart, schemaFromParser, splitSigilled, utf8Length } from "./common";
import { isValidServerName, type ServerName } from "./server-name";
import { MatrixError } from "../errors";

export type UserId = string & { readonly __brand: "UserId" };

export interface UserIdOptions {
  /** Apply the current grammar (IDs we create, register or hand to clients). Default: historical leniency. */
  readonly strict?: boolean;
}

const STRICT_LOCALPART = /^[a-z0-9._=/+-]+$/;
// Compliant historical IDs stay within U+0021–U+007E.
const COMPLIANT_LOCALPART = /^[\x21-\x7e]+$/;

function userIdError(s: string, strict: boolean): string | undefined {
  const parts = splitSigilled(s, "@");
  if (parts === undefined) return "expected @localpart:domain";
  if (utf8Length(s) > MAX_IDENTIFIER_BYTES) return "longer than 255 bytes";
  if (strict ? !STRICT_LOCALPART.test(parts.localpart) : !isOpaqueLocalpart(parts.localpart)) return "bad localpart";
  return isValidServerName(parts.domain) ? undefined : "bad server name";
}

export function isValidUserId(s: string, options?: UserIdOptions): boolean {
  return userIdError(s, options?.strict === true) === undefined;
}

export function parseUserId(s: string, options?: UserIdOptions): UserId {
  const reason = userIdError(s, options?.strict === true);
  if (reason !== undefined) throw new InvalidIdentifierError("user ID", s, reason);
  return s as UserId;
}

/**
 * False for historical IDs the spec calls non-compliant (empty localpart or characters outside
 * U+0021–U+007E): accepted in events, but not forwarded to clients outside an event.
 */
export function isCompliantUserId(id: UserId): boolean {
  return COMPLIANT_LOCALPART.test(userIdLocalpart(id));
}

export function userIdLocalpart(id: UserId): string {
  return id.slice(1, id.indexOf(":"));
}

export function userIdServerName(id: UserId): ServerName {
  return id.slice(id.indexOf(":") + 1) as ServerName;
}

/** Zod schemas for the HTTP edge: received (lenient) and created (strict) user IDs. */
export const userIdSchema = schemaFromParser((s) => parseUserId(s), "user ID");
export const strictUserIdSchema = schemaFromParser((s) => parseUserId(s, { strict: true }), "user ID");

/**
 * The localpart of `userId` when it is a user of `serverName` (the form a server's own tables key
 * users by); 400 M_INVALID_PARAM for anything else — another server's user, or no user ID.
 */
export function localpartOf(userId: string, serverName: string): string {
  const id = isValidUserId(userId) ? parseUserId(userId) : undefined;
  if (!id || userIdServerName(id) !== serverName) {
    throw new MatrixError("M_INVALID_PARAM", `${userId} is not a user on ${serverName}`);
  }
  return userIdLocalpart(id);
}
