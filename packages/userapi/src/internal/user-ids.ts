// Local user IDs: the localpart grammar of the spec (appendices, "User Identifiers") and the
// mapping between full IDs and the localparts our tables use.
import { isValidUserId, MatrixError } from "@dendrite-ts/protocol";

const LOCALPART = /^[a-z0-9._=\-/+]+$/;
/** The whole user ID, sigil and server name included, is capped at 255 bytes. */
const MAX_USER_ID_BYTES = 255;

export { localpartOf } from "@dendrite-ts/protocol";

export function userIdOf(localpart: string, serverName: string): string {
  return `@${localpart}:${serverName}`;
}

/** Checks a localpart for a new account: the spec's grammar and length. M_INVALID_USERNAME otherwise. */
export function validateNewLocalpart(localpart: string, serverName: string): void {
  if (localpart.length === 0) throw new MatrixError("M_INVALID_USERNAME", "The username must not be empty");
  if (!LOCALPART.test(localpart)) {
    throw new MatrixError(
      "M_INVALID_USERNAME",
      "The username may only contain a-z, 0-9 and the characters . _ = - / +",
    );
  }
  if (Buffer.byteLength(userIdOf(localpart, serverName), "utf8") > MAX_USER_ID_BYTES) {
    throw new MatrixError("M_INVALID_USERNAME", `The user ID must not exceed ${MAX_USER_ID_BYTES} bytes`);
  }
  // The protocol package's strict grammar is the final word (the checks above name the problem).
  if (!isValidUserId(userIdOf(localpart, serverName), { strict: true })) {
    throw new MatrixError("M_INVALID_USERNAME", "Not a valid user ID");
  }
}

/**
 * The localpart of a user given as a full ID on this server or a bare localpart (login accepts
 * both). Undefined when it names another server or is malformed: the caller decides the error.
 */
export function localpartFromUser(user: string, serverName: string): string | undefined {
  if (!user.startsWith("@")) return user.length > 0 && !user.includes(":") ? user.toLowerCase() : undefined;
  const colon = user.indexOf(":");
  if (colon < 2) return undefined;
  if (user.slice(colon + 1) !== serverName) return undefined;
  return user.slice(1, colon).toLowerCase();
}

