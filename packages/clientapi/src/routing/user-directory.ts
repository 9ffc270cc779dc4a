/**
 * POST /user_directory/search (client-server API, "User directory"): users the requester may
 * find — members of the rooms they are joined to and of public rooms (join rule `public` or
 * history `world_readable`), or of every room with `clientapi.user_directory.search_all_users` —
 * whose user ID or display name has a word beginning with each word of the search term,
 * case-insensitively. The roomserver holds the rooms and the names their member events carry,
 * so it searches; deactivated accounts, which only userapi knows, are left out here.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import type { DirectoryUser } from "@dendrite-ts/roomserver";
import { z } from "zod";
import { ok } from "../call";
import { parseBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

/** Results when the client names no limit (the spec's default). */
export const DEFAULT_LIMIT = 10;
/** Never more than this many (Synapse's cap): a search box shows a handful. */
export const MAX_LIMIT = 50;

const searchBody = z.object({
  search_term: z.string(),
  limit: z.number().int().min(0).optional(),
});

export function registerUserDirectoryRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/user_directory/search", async (req) => {
    const me = await ctx.authenticate(req);
    if (me.isGuest) throw new MatrixError("M_GUEST_ACCESS_FORBIDDEN", "Guests cannot search the user directory");
    const body = parseBody(searchBody, req.body);
    const limit = Math.min(body.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const { body: found } = await ctx.roomserver.querySearchUserDirectory({
      body: { userId: me.userId, searchTerm: body.search_term, limit, searchAllUsers: ctx.config.userDirectory?.searchAllUsers ?? false },
    });
    const active = await withoutInactive(ctx, found.users);
    return {
      results: active.map((u) => ({
        user_id: u.userId,
        ...(u.displayName !== undefined ? { display_name: u.displayName } : {}),
        ...(u.avatarUrl !== undefined ? { avatar_url: u.avatarUrl } : {}),
      })),
      limited: found.limited,
    };
  });
}

/**
 * Deactivation makes an account leave every room, so the roomserver rarely offers one; a leave
 * that failed must still not show it. A locked account stays in its rooms but is hidden too (as
 * Synapse hides them): nobody can reach its owner. At most `limit` local users, asked at once.
 */
async function withoutInactive(ctx: RouteContext, users: readonly DirectoryUser[]): Promise<DirectoryUser[]> {
  const local = `:${ctx.serverName}`;
  const keep = await Promise.all(
    users.map(async (u) => {
      if (!u.userId.endsWith(local)) return true;
      try {
        const account = await ok(ctx.userapi.queryAccount({ body: { userId: u.userId } }));
        return !account.deactivated && !account.locked;
      } catch (e) {
        if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return true; // no account: a name in a room all the same
        throw e;
      }
    }),
  );
  return users.filter((_, i) => keep[i]);
}
