/**
 * Invite permission (client-server API, "Invite permission", v1.18): a user whose
 * m.invite_permission_config account data has `default_action: "block"` takes no invites. Ours
 * are refused here, at each client endpoint that invites (403 M_INVITE_BLOCKED); another
 * server's users are their server's to refuse.
 */
import { isMatrixError, isValidUserId, MatrixError, parseUserId, userIdServerName } from "@dendrite-ts/protocol";
import { ok } from "../call";
import type { RouteContext } from "./context";

export const INVITE_PERMISSION_CONFIG = "m.invite_permission_config";

export async function invitesBlocked(ctx: Pick<RouteContext, "userapi" | "serverName">, userId: string): Promise<boolean> {
  if (!isValidUserId(userId) || userIdServerName(parseUserId(userId)) !== ctx.serverName) return false;
  try {
    const { content } = await ok(ctx.userapi.queryAccountData({ body: { userId, roomId: null, type: INVITE_PERMISSION_CONFIG } }));
    return content.default_action === "block";
  } catch (e) {
    // No such account data, or no such user (the roomserver answers for that).
    if (isMatrixError(e) && e.errcode === "M_NOT_FOUND") return false;
    throw e;
  }
}

export async function assertInvitable(ctx: Pick<RouteContext, "userapi" | "serverName">, userId: string): Promise<void> {
  if (await invitesBlocked(ctx, userId)) throw new MatrixError("M_INVITE_BLOCKED", `${userId} does not accept invites`);
}

/** createRoom's invite list less the users who block invites: the room is made without them (the spec allows it). */
export async function withoutBlockedInvitees(ctx: Pick<RouteContext, "userapi" | "serverName">, invite: readonly string[] | undefined): Promise<string[] | undefined> {
  if (invite === undefined) return undefined;
  const blocked = await Promise.all(invite.map((u) => invitesBlocked(ctx, u)));
  return invite.filter((_, i) => !blocked[i]);
}
