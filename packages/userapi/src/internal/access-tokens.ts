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
}

function unknownToken(): MatrixError {
  return new MatrixError("M_UNKNOWN_TOKEN", "Unrecognised access token", { soft_logout: false });
}

/** The token's owner: from memory, else one indexed query (the cache is as current as the table). */
function ownerOf(ctx: Ctx, accessToken: string) {
  return ctx.tokens.lookup(tokenDigest(accessToken), (digest) => ctx.store.accessTokens.selectOwner(digest));
}

/** Tokens of deactivated accounts do not resolve, whatever raced them. */
export async function resolveAccessToken(ctx: Ctx, accessToken: string): Promise<TokenInfo> {
  const owner = await ownerOf(ctx, accessToken);
  if (!owner || owner.deactivated) throw unknownToken();
  return {
    userId: userIdOf(owner.localpart, ctx.serverName),
    deviceId: owner.deviceId,
    isAdmin: owner.isAdmin,
    accountType: owner.accountType,
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
