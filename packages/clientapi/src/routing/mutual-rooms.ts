/**
 * GET /_matrix/client/v1/mutual_rooms (client-server API, v1.19): the rooms both the caller and
 * another user are joined to. Paged in room-ID order; a page's `next_batch` is the last room it
 * holds, so a page is stable while rooms come and go. An unknown user shares nothing: an empty
 * list, not an error.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isCompliantUserId, isValidRoomId, MatrixError, parseUserId } from "@dendrite-ts/protocol";
import { parseParams } from "../validation";
import { clientRoute, type RouteContext } from "./context";

/** Rooms per page: enough for almost everyone in one. */
export const MUTUAL_ROOMS_PAGE = 100;

const query = z.object({ user_id: z.string(), from: z.string().optional() });

export function registerMutualRoomsRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(
    server,
    "GET",
    "/mutual_rooms",
    async (req) => {
      const me = await ctx.authenticate(req);
      const q = parseParams(query, req.query, "query");
      const other = compliantUserId(q.user_id);
      if (other === me.userId) throw new MatrixError("M_INVALID_PARAM", "user_id is your own user ID");
      if (q.from !== undefined && !isValidRoomId(q.from)) throw new MatrixError("M_INVALID_PARAM", "from is not a token this endpoint gave out");
      const joined = async (userId: string) => (await ctx.roomserver.queryRoomsForUser({ body: { userId, membership: "join" } })).body.roomIds;
      const [mine, theirs] = await Promise.all([joined(me.userId), joined(other)]);
      const theirSet = new Set(theirs);
      const shared = mine.filter((r) => theirSet.has(r)).sort();
      const rest = q.from === undefined ? shared : shared.filter((r) => r > q.from!);
      const page = rest.slice(0, MUTUAL_ROOMS_PAGE);
      return { joined: page, count: shared.length, ...(rest.length > page.length ? { next_batch: page.at(-1) } : {}) };
    },
    ["/_matrix/client/v1"],
  );
}

/** The spec refuses historical IDs that are not compliant, as malformed ones. */
function compliantUserId(s: string): string {
  try {
    const id = parseUserId(s);
    if (isCompliantUserId(id)) return id;
  } catch {
    // answered below
  }
  throw new MatrixError("M_INVALID_PARAM", "user_id is not a valid user ID");
}
