/**
 * The published room directory (client-server API, "Published room directory"): a room's
 * visibility in it, and the listing. Listing another server's directory needs federation, which
 * is not wired yet. The roomserver owns room state, so it builds the summaries and the pages.
 */
import type { FastifyInstance } from "fastify";
import { isValidServerName, MatrixError } from "@dendrite-ts/protocol";
import type { PublicRoom } from "@dendrite-ts/roomserver";
import { accessTokenOf } from "@dendrite-ts/runtime";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { clientRoute, roomParams, type RouteContext } from "./context";

const visibility = z.enum(["public", "private"]);

/** Rooms per page of POST /publicRooms when the client names no limit (Synapse's default). */
const POST_DEFAULT_LIMIT = 100;

const listQuery = z.object({
  limit: z.string().regex(/^\d{1,9}$/, "a non-negative integer").optional(),
  since: z.string().optional(),
  server: z.string().optional(),
});

const listBody = z.object({
  limit: z.number().int().min(0).optional(),
  since: z.string().optional(),
  filter: z
    .object({
      generic_search_term: z.string().optional(),
      room_types: z.array(z.string().nullable()).optional(),
    })
    .optional(),
  include_all_networks: z.boolean().optional(),
  third_party_instance_id: z.string().optional(),
});

type RoomsPage = { rooms: PublicRoom[]; nextBatch?: string; prevBatch?: string; total: number };

export function registerPublicRoomRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/directory/list/room/:roomId", async (req) => {
    const { roomId } = parseParams(roomParams, req.params);
    await requireKnownRoom(ctx, roomId);
    const { body } = await ctx.roomserver.queryPublishedRooms({ body: { roomId } });
    return { visibility: body.roomIds.includes(roomId) ? "public" : "private" };
  });

  clientRoute(server, "PUT", "/directory/list/room/:roomId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    const b = parseBody(z.object({ visibility: visibility.default("public") }), req.body);
    // A server admin may list any room; anyone else acts as themselves (roomserver checks power).
    await ctx.roomserver.performPublish({ body: { roomId, visibility: b.visibility, ...(me.isAdmin ? {} : { userId: me.userId }) } });
    return {};
  });

  clientRoute(server, "GET", "/publicRooms", async (req) => {
    // The spec asks no token here; one that is given must still be valid.
    if (accessTokenOf(req) !== undefined) await ctx.authenticate(req);
    const q = parseParams(listQuery, req.query, "query");
    requireLocalServer(ctx, q.server);
    // No limit (or 0) lists every room, as Synapse does.
    const limit = q.limit === undefined || Number(q.limit) === 0 ? undefined : Number(q.limit);
    return response(await page(ctx, { limit, since: q.since }));
  });

  clientRoute(server, "POST", "/publicRooms", async (req) => {
    await ctx.authenticate(req);
    const { server: remote } = parseParams(listQuery.pick({ server: true }), req.query, "query");
    requireLocalServer(ctx, remote);
    const b = parseBody(listBody, req.body);
    if (b.include_all_networks === true && b.third_party_instance_id !== undefined) {
      throw new MatrixError("M_INVALID_PARAM", "third_party_instance_id can only be used when include_all_networks is false");
    }
    // Every room we list is on the homeserver's own network: a third-party network has none.
    if (b.third_party_instance_id !== undefined) return { chunk: [], total_room_count_estimate: 0 };
    const limit = b.limit === undefined ? POST_DEFAULT_LIMIT : b.limit === 0 ? undefined : b.limit;
    const filter = {
      ...(b.filter?.generic_search_term !== undefined ? { searchTerm: b.filter.generic_search_term } : {}),
      ...(b.filter?.room_types !== undefined ? { roomTypes: b.filter.room_types } : {}),
    };
    return response(await page(ctx, { limit, since: b.since, filter }));
  });
}

async function page(ctx: RouteContext, q: { limit: number | undefined; since: string | undefined; filter?: { searchTerm?: string; roomTypes?: (string | null)[] } }): Promise<RoomsPage> {
  const { body } = await ctx.roomserver.queryPublicRooms({
    body: {
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      // An empty token is no token (clients send `since=` for the first page), as Synapse reads it.
      ...(q.since !== undefined && q.since !== "" ? { since: q.since } : {}),
      ...(q.filter !== undefined ? { filter: q.filter } : {}),
    },
  });
  return body;
}

function response(p: RoomsPage) {
  return {
    chunk: p.rooms.map(chunkEntry),
    ...(p.nextBatch !== undefined ? { next_batch: p.nextBatch } : {}),
    ...(p.prevBatch !== undefined ? { prev_batch: p.prevBatch } : {}),
    total_room_count_estimate: p.total,
  };
}

/** PublishedRoomsChunk: the optional fields only when the room has them (a room summary builds on it). */
export function chunkEntry(r: PublicRoom): Record<string, unknown> {
  const optional: Record<string, string | undefined> = {
    join_rule: r.joinRule,
    name: r.name,
    topic: r.topic,
    canonical_alias: r.canonicalAlias,
    avatar_url: r.avatarUrl,
    room_type: r.roomType,
  };
  return {
    room_id: r.roomId,
    num_joined_members: r.numJoinedMembers,
    world_readable: r.worldReadable,
    guest_can_join: r.guestCanJoin,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

/**
 * `server` naming another homeserver needs a federation request, which we cannot make yet:
 * refused as the other federation-only requests are (a remote invite), not as a 5xx — nothing
 * failed upstream, we did not try.
 */
function requireLocalServer(ctx: RouteContext, server: string | undefined): void {
  if (server === undefined || server === ctx.serverName) return;
  if (!isValidServerName(server)) throw new MatrixError("M_INVALID_PARAM", `query.server: ${server} is not a server name`);
  throw new MatrixError("M_UNRECOGNIZED", `Listing the room directory of another server (${server}) is not supported yet`);
}

async function requireKnownRoom(ctx: RouteContext, roomId: string): Promise<void> {
  const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: [] } });
  if (!body.roomExists) throw new MatrixError("M_NOT_FOUND", `Room ${roomId} not found`);
}
