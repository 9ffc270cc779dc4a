/**
 * What a local user's m.room.member events carry of their profile: "when homeservers emit
 * membership events for their own users they should include the display name and avatar URL
 * fields" (client-server API, "m.room.member"). Used for joins, invites and a new room's creator.
 */
import { isMatrixError, isValidUserId, parseUserId, userIdServerName } from "@dendrite-ts/protocol";
import type { MemberProfile } from "@dendrite-ts/roomserver";
import { ok } from "../call";
import type { RouteContext } from "./context";

export async function memberProfile(ctx: Pick<RouteContext, "userapi" | "serverName">, userId: string): Promise<MemberProfile> {
  // Another server's user: their profile needs a federation query (later). Nothing to add, and
  // the roomserver's answer to inviting them (not supported yet) is the one the client sees.
  if (isValidUserId(userId) && userIdServerName(parseUserId(userId)) !== ctx.serverName) return {};
  try {
    const body = await ok(ctx.userapi.queryProfile({ body: { userId } }));
    return {
      ...(body.displayname !== null ? { displayname: body.displayname } : {}),
      ...(body.avatar_url !== null ? { avatar_url: body.avatar_url } : {}),
    };
  } catch (e) {
    // Not one of our users (an invitee of another server): nothing to add.
    if (isMatrixError(e) && e.errcode === "M_NOT_FOUND") return {};
    throw e;
  }
}
