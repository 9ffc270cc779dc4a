// Accounts: creation (with the spec's localpart rules), availability, password change,
// deactivation.
import { randomBytes } from "node:crypto";
import { MatrixError } from "@dendrite-ts/protocol";
import type { AccountType, UserapiTables } from "../storage";
import type { Ctx } from "./context";
import { hashPassword, MAX_PASSWORD_BYTES } from "./password";
import { openSession, type SessionRequest } from "./sessions";
import { consumeRegistrationSession } from "./uia";
import { localpartOf, userIdOf, validateNewLocalpart } from "./user-ids";

export interface CreateAccountInput {
  /** Omitted: a random localpart is chosen. Upper case is folded (the spec asks servers to downcase). */
  localpart?: string | undefined;
  /** Omitted: the account cannot log in by password (appservice users). */
  password?: string | undefined;
  accountType?: AccountType | undefined;
  userType?: string | undefined;
  isAdmin?: boolean | undefined;
  /** Initial display name; defaults to the localpart, as other servers do. */
  displayName?: string | undefined;
  /** Open a session (device + token) at once; omitted = `inhibit_login`. */
  login?: SessionRequest | undefined;
  /** A completed `register` UIA session, spent by this registration (token use counted). */
  uiaSession?: string | undefined;
}

export interface CreateAccountResult {
  userId: string;
  deviceId?: string;
  accessToken?: string;
}

export function checkPassword(password: string): void {
  if (password.length === 0) throw new MatrixError("M_WEAK_PASSWORD", "The password must not be empty");
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
    throw new MatrixError("M_INVALID_PARAM", `The password must not exceed ${MAX_PASSWORD_BYTES} bytes`);
  }
}

export async function createAccount(ctx: Ctx, input: CreateAccountInput): Promise<CreateAccountResult> {
  const localpart = input.localpart?.toLowerCase() ?? `u${randomBytes(8).toString("hex")}`;
  validateNewLocalpart(localpart, ctx.serverName);
  if (input.password !== undefined) checkPassword(input.password);
  // Hash before the transaction: scrypt is slow and must not hold row locks.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password, ctx.scrypt);
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    if (input.uiaSession !== undefined) await consumeRegistrationSession(ctx, tx, input.uiaSession);
    const inserted = await tx.accounts.insert({
      localpart,
      passwordHash,
      createdTs: now,
      isAdmin: input.isAdmin ?? false,
      accountType: input.accountType ?? "user",
      userType: input.userType ?? null,
    });
    if (!inserted) throw new MatrixError("M_USER_IN_USE", "The desired user ID is already taken");
    await tx.profiles.upsert(localpart, { displayname: input.displayName ?? localpart });
    const result: CreateAccountResult = { userId: userIdOf(localpart, ctx.serverName) };
    if (input.login) Object.assign(result, await openSession(tx, localpart, input.login, now));
    return result;
  });
}

/** `GET /register/available`: valid and free, or the error saying why not. */
export async function checkUsernameAvailable(ctx: Ctx, username: string): Promise<{ available: true }> {
  const localpart = username.toLowerCase();
  validateNewLocalpart(localpart, ctx.serverName);
  if (await ctx.store.accounts.exists(localpart)) {
    throw new MatrixError("M_USER_IN_USE", "The desired user ID is already taken");
  }
  return { available: true };
}

/** Loads a local account that must exist and be active (for operations on behalf of a user). */
export async function activeAccount(ctx: Ctx, tx: UserapiTables, userId: string) {
  const localpart = localpartOf(userId, ctx.serverName);
  const account = await tx.accounts.select(localpart);
  if (!account) throw new MatrixError("M_NOT_FOUND", `No such user ${userId}`);
  if (account.deactivated) throw new MatrixError("M_USER_DEACTIVATED", "This account has been deactivated");
  return account;
}

export interface ChangePasswordInput {
  userId: string;
  newPassword: string;
  /** Default true, as in the spec: other devices (and their tokens) go. */
  logoutDevices?: boolean | undefined;
  /** The device making the request keeps its session. */
  exceptDeviceId?: string | undefined;
}

export async function changePassword(ctx: Ctx, input: ChangePasswordInput): Promise<{ deletedDeviceIds: string[] }> {
  checkPassword(input.newPassword);
  const hash = await hashPassword(input.newPassword, ctx.scrypt);
  return ctx.store.transaction(async (tx) => {
    const account = await activeAccount(ctx, tx, input.userId);
    await tx.accounts.updatePasswordHash(account.localpart, hash);
    const deletedDeviceIds =
      input.logoutDevices === false ? [] : await tx.devices.deleteAllExcept(account.localpart, input.exceptDeviceId);
    return { deletedDeviceIds };
  });
}

/**
 * Deactivation: every device and token goes, the profile is emptied, and the row stays (marked)
 * so the user ID is never handed out again; its password hash stays so that only the password's
 * owner learns the account is deactivated (login.ts). Leaving rooms is clientapi's.
 */
export async function deactivateAccount(ctx: Ctx, userId: string): Promise<{ deletedDeviceIds: string[] }> {
  return ctx.store.transaction(async (tx) => {
    const account = await activeAccount(ctx, tx, userId);
    const deletedDeviceIds = await tx.devices.deleteAllExcept(account.localpart, undefined);
    await tx.profiles.clear(account.localpart);
    await tx.accounts.deactivate(account.localpart);
    return { deletedDeviceIds };
  });
}

export interface AccountInfo {
  userId: string;
  isAdmin: boolean;
  deactivated: boolean;
  locked: boolean;
  suspended: boolean;
  accountType: AccountType;
  userType: string | null;
  createdTs: number;
}

export async function queryAccount(ctx: Ctx, userId: string): Promise<AccountInfo> {
  const account = await ctx.store.accounts.select(localpartOf(userId, ctx.serverName));
  if (!account) throw new MatrixError("M_NOT_FOUND", `No such user ${userId}`);
  const { isAdmin, deactivated, locked, suspended, accountType, userType, createdTs } = account;
  return { userId, isAdmin, deactivated, locked, suspended, accountType, userType, createdTs };
}
