// Profiles of local users: displayname and avatar_url. Sending the m.room.member updates that
// follow a change is clientapi's job; the setters return the new profile for it.
import { MatrixError } from "@dendrite-ts/protocol";
import type { Ctx } from "./context";
import { localpartOf } from "./user-ids";

export interface Profile {
  displayname: string | null;
  avatar_url: string | null;
}

/** Generous caps: a profile travels in every member event of every room the user is in. */
const MAX_DISPLAYNAME = 256;
const MAX_AVATAR_URL = 1000;

export async function getProfile(ctx: Ctx, userId: string): Promise<Profile> {
  const localpart = localpartOf(userId, ctx.serverName);
  const [account, row] = await Promise.all([ctx.store.accounts.select(localpart), ctx.store.profiles.select(localpart)]);
  if (!account) throw new MatrixError("M_NOT_FOUND", "Profile not found");
  return { displayname: row?.displayname ?? null, avatar_url: row?.avatarUrl ?? null };
}

async function setFields(ctx: Ctx, userId: string, fields: { displayname?: string | null; avatarUrl?: string | null }): Promise<Profile> {
  const localpart = localpartOf(userId, ctx.serverName);
  return ctx.store.transaction(async (tx) => {
    const account = await tx.accounts.select(localpart);
    if (!account) throw new MatrixError("M_NOT_FOUND", "Profile not found");
    if (account.deactivated) throw new MatrixError("M_USER_DEACTIVATED", "This account has been deactivated");
    const row = await tx.profiles.upsert(localpart, fields);
    return { displayname: row.displayname, avatar_url: row.avatarUrl };
  });
}

export async function setDisplayName(ctx: Ctx, userId: string, displayname: string | null): Promise<Profile> {
  if (displayname !== null && displayname.length > MAX_DISPLAYNAME) {
    throw new MatrixError("M_INVALID_PARAM", `displayname must not exceed ${MAX_DISPLAYNAME} characters`);
  }
  return setFields(ctx, userId, { displayname });
}

export async function setAvatarUrl(ctx: Ctx, userId: string, avatarUrl: string | null): Promise<Profile> {
  if (avatarUrl !== null && avatarUrl.length > MAX_AVATAR_URL) {
    throw new MatrixError("M_INVALID_PARAM", `avatar_url must not exceed ${MAX_AVATAR_URL} characters`);
  }
  return setFields(ctx, userId, { avatarUrl });
}
