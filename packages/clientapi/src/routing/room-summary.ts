/**
 * GET /_matrix/client/v1/room_summary/{roomIdOrAlias} (client-server API, "Room Summaries", v1.15):
 * what a client shows before joining — name, topic, members, join rule, version, encryption.
 * Who may see it: anyone, token or not, when the room's join rule is public, knock or
 * knock_restricted or its history is world_readable (the spec's MAY for unauthenticated
 * access); otherwise a user who is joined, invited or knocking, or who may join a restricted
 * room through one of its allowed rooms. Anyone else gets the 404 an unknown room gets, so the
 * answer says nothing about rooms they cannot see. Rooms we do not hold need federation (`via`).
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import type { RoomSummary } from "@dendrite-ts/roomserver";
import { accessTokenOf } from "@dendrite-ts/runtime";
import { clientRoute, roomIdOrAliasParam, type RouteContext } from "./context";
import { chunkEntry } from "./public-rooms";

const OPEN_JOIN_RULES = new Set(["public", "knock", "knock_restricted"]);
const MEMBERS = new Set(["join", "invite", "knock"]);

const notFound = () => new MatrixError("M_NOT_FOUND", "Room not found");

export function registerRoomSummaryRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(
    server,
    "GET",
    "/room_summary/:roomIdOrAlias",
    async (req) => {
      const roomIdOrAlias = roomIdOrAliasParam(req.params);
      // The spec asks no token here; one that is given must still be valid.
      const me = accessTokenOf(req) !== undefined ? await ctx.authenticate(req) : undefined;
      const roomId = roomIdOrAlias.startsWith("#") ? await resolve(ctx, roomIdOrAlias) : roomIdOrAlias;
      const summary = await ctx.roomserver.queryRoomSummary({ body: { roomId } }).then((r) => r.body, (e: unknown) => {
        throw e instanceof MatrixError && e.errcode === "M_NOT_FOUND" ? notFound() : e;
      });
      const membership = me ? await membershipOf(ctx, roomId, me.userId) : undefined;
      if (!(await roomSummaryVisible(ctx, summary, me?.userId, membership))) throw notFound();
      return { ...roomSummaryEntry(summary), ...(me ? { membership: membership ?? "leave" } : {}) };
    },
    ["/_matrix/client/v1"],
  );
}

async function resolve(ctx: RouteContext, alias: string): Promise<string> {
  const { body } = await ctx.roomserver.resolveRoomAlias({ body: { alias } });
  if (body.roomId === undefined) throw notFound();
  return body.roomId;
}

export async function membershipOf(ctx: RouteContext, roomId: string, userId: string): Promise<string | undefined> {
  return (await ctx.roomserver.queryMembership({ body: { roomId, userId } })).body.membership;
}

/** Whether a user (or, without one, anyone) may see the room's summary; shared with the space hierarchy. */
export async function roomSummaryVisible(ctx: RouteContext, s: RoomSummary, userId: string | undefined, membership: string | undefined): Promise<boolean> {
  if ((s.joinRule !== undefined && OPEN_JOIN_RULES.has(s.joinRule)) || s.worldReadable) return true;
  if (userId === undefined) return false;
  if (membership !== undefined && MEMBERS.has(membership)) return true;
  // A restricted room shows itself to those its rule would let in (a member of an allowed room).
  for (const allowed of s.allowedRoomIds ?? []) {
    if ((await membershipOf(ctx, allowed, userId)) === "join") return true;
  }
  return false;
}

/** The response body: a directory entry, with the summary's own fields when the room has them. */
export function roomSummaryEntry(s: RoomSummary): Record<string, unknown> {
  return {
    ...chunkEntry(s),
    room_version: s.roomVersion,
    ...(s.encryption !== undefined ? { encryption: s.encryption } : {}),
    ...(s.allowedRoomIds !== undefined ? { allowed_room_ids: s.allowedRoomIds } : {}),
  };
}
