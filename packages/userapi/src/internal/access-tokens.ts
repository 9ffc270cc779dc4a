// Access tokens: resolve (the hot path of every authenticated request), log out, log out all.
import { MatrixError } from "@dendrite-ts/protocol";
import type { Ctx } from "./context";
import { tokenDigest } from "./secrets";
import { localpartOf, userIdOf } from "./user-ids";

export interface TokenInfo {
  userId: string;
  deviceId: string;
  isAdmin: boolean;
  accountType: string;
  /** Suspended by an admin: the caller refuses the actions a suspension forbids. */
  suspended: boolean;
}

function unknownToken(): MatrixError {
  return new MatrixError("M_UNKNOWN_TOKEN", "Unrecognised access token", { soft_logout: false });
}

/** The token's owner: from memory, else one indexed query (the cache is as current as the table). */
function ownerOf(ctx: Ctx, accessToken: string) {
  return ctx.tokens.lookup(tokenDigest(accessToken), (digest) => ctx.store.accessTokens.selectOwner(digest));
}

/** Spec "Account locking": the token stays valid, the client keeps its session and polls. */
function userLocked(): MatrixError {
  return new MatrixError("M_USER_LOCKED", "This account has been locked", { soft_logout: true });
}

/**
 * Tokens of deactivated accounts do not resolve, whatever raced them. A locked account's token
 * resolves only for `allowLocked` (the logout routes): every other caller gets M_USER_LOCKED
 * here, so no component can forget the lock.
 */
export async function resolveAccessToken(ctx: Ctx, accessToken: string, allowLocked = false): Promise<TokenInfo> {
  const owner = await ownerOf(ctx, accessToken);
  if (!owner || owner.deactivated) throw unknownToken();
  if (owner.locked && !allowLocked) throw userLocked();
  return {
    userId: userIdOf(owner.localpart, ctx.serverName),
    deviceId: owner.deviceId,
    isAdmin: owner.isAdmin,
    accountType: owner.accountType,
    suspended: owner.suspended,
  };
}

/** `/logout`: the token's device goes, and with it every token on that device. */
export async function logout(ctx: Ctx, accessToken: string): Promise<{ userId: string; deletedDeviceIds: string[] }> {
  const owner = await ownerOf(ctx, accessToken);
  if (!owner) throw unknownToken();
  const deletedDeviceIds = await ctx.store.devices.delete(owner.localpart, [owner.deviceId]);
  return { userId: userIdOf(owner.localpart, ctx.serverName), deletedDeviceIds };
}

/** `/logout/all`: every device of the user. */
export async function logoutAll(ctx: Ctx, userId: string): Promise<{ deletedDeviceIds: string[] }> {
  const deletedDeviceIds = await ctx.store.devices.deleteAllExcept(localpartOf(userId, ctx.serverName), undefined);
  return { deletedDeviceIds };
}
