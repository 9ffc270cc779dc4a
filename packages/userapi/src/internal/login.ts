// m.login.password: identify the user (m.id.user identifier or the legacy `user` field,
// localpart or full ID), check the password, open a session. Also used by the UIA password stage.
import { MatrixError } from "@dendrite-ts/protocol";
import type { AccountRow } from "../storage";
import type { Ctx } from "./context";
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from "./password";
import { openSession, type SessionRequest } from "./sessions";
import { activeAccount } from "./accounts";
import { localpartFromUser, userIdOf } from "./user-ids";

/** The identifier and password fields of a login or m.login.password auth dict. */
export interface PasswordCredentials {
  identifier?: { type: string; user?: string | undefined; [k: string]: unknown } | undefined;
  /** Deprecated top-level `user`, still sent by older clients. */
  user?: string | undefined;
  password: string;
}

const BAD_CREDENTIALS = "Invalid username or password";

function userFrom(creds: PasswordCredentials): string {
  const id = creds.identifier;
  if (id) {
    if (id.type === "m.id.user" && typeof id.user === "string") return id.user;
    // We hold no third-party identifiers: the spec answers an unknown 3PID with 403.
    if (id.type === "m.id.thirdparty") throw new MatrixError("M_FORBIDDEN", BAD_CREDENTIALS);
    if (id.type === "m.id.user") throw new MatrixError("M_MISSING_PARAM", "identifier.user is required");
    throw new MatrixError("M_UNKNOWN", `Unknown login identifier type ${JSON.stringify(id.type)}`);
  }
  if (typeof creds.user === "string") return creds.user;
  throw new MatrixError("M_MISSING_PARAM", "An identifier is required");
}

/**
 * Checks credentials: M_FORBIDDEN when wrong, M_USER_DEACTIVATED for the right password of a
 * deactivated account. The password is checked first, and an unknown user (or one without a
 * password) costs the same hash, so whoever does not know the password cannot tell an unknown,
 * a live and a deactivated account apart, by answer or by timing.
 */
export async function checkCredentials(ctx: Ctx, creds: PasswordCredentials): Promise<AccountRow> {
  const localpart = localpartFromUser(userFrom(creds), ctx.serverName);
  const account = localpart === undefined ? undefined : await ctx.store.accounts.select(localpart);
  if (!account?.passwordHash) {
    await burnPasswordCheck(creds.password, ctx.scrypt);
    throw new MatrixError("M_FORBIDDEN", BAD_CREDENTIALS);
  }
  if (!(await verifyPassword(creds.password, account.passwordHash))) throw new MatrixError("M_FORBIDDEN", BAD_CREDENTIALS);
  if (account.deactivated) throw new MatrixError("M_USER_DEACTIVATED", "This account has been deactivated");
  if (needsRehash(account.passwordHash, ctx.scrypt)) {
    await ctx.store.accounts.updatePasswordHash(account.localpart, await hashPassword(creds.password, ctx.scrypt));
  }
  return account;
}

export interface LoginResult {
  userId: string;
  deviceId: string;
  accessToken: string;
}

export async function passwordLogin(ctx: Ctx, creds: PasswordCredentials, session: SessionRequest): Promise<LoginResult> {
  const account = await checkCredentials(ctx, creds);
  const opened = await ctx.store.transaction((tx) => openSession(tx, account.localpart, session, ctx.now()));
  return { userId: userIdOf(account.localpart, ctx.serverName), ...opened };
}

/** A session for a user whose identity the caller has already established (no password). */
export async function createSession(ctx: Ctx, userId: string, session: SessionRequest): Promise<LoginResult> {
  return ctx.store.transaction(async (tx) => {
    const account = await activeAccount(ctx, tx, userId);
    const opened = await openSession(tx, account.localpart, session, ctx.now());
    return { userId: userIdOf(account.localpart, ctx.serverName), ...opened };
  });
}
