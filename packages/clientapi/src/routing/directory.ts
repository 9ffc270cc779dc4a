/**
 * Room aliases (client-server API, "Room aliases"): resolve, create and delete local aliases;
 * list a room's local aliases (members, or anyone when its history is world_readable). Remote
 * aliases need a federation directory query (federationsender, not wired yet) and answer 404
 * for now.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, roomAliasSchema, roomAliasServerName, roomIdSchema, type RoomAlias } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { clientRoute, requireJoined, roomParams, type RouteContext } from "./context";

const aliasParams = z.object({ roomAlias: roomAliasSchema });

export function registerDirectoryRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const localAlias = (alias: RoomAlias) => {
    if (roomAliasServerName(alias) !== ctx.serverName) {
      throw new MatrixError("M_INVALID_PARAM", `${alias} is not an alias of ${ctx.serverName}`);
    }
  };

  clientRoute(server, "GET", "/directory/room/:roomAlias", async (req) => {
    const { roomAlias } = parseParams(aliasParams, req.params);
    const { body } = await ctx.roomserver.resolveRoomAlias({ body: { alias: roomAlias } });
    if (body.roomId === undefined) throw new MatrixError("M_NOT_FOUND", `Room alias ${roomAlias} not found`);
    return { room_id: body.roomId, servers: [ctx.serverName] };
  });

  clientRoute(server, "PUT", "/directory/room/:roomAlias", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomAlias } = parseParams(aliasParams, req.params);
    const { room_id: roomId } = parseBody(z.object({ room_id: roomIdSchema }), req.body);
    localAlias(roomAlias);
    await requireJoined(ctx, roomId, me.userId);
    const { body } = await ctx.roomserver.setRoomAlias({ body: { alias: roomAlias, roomId, userId: me.userId } });
    if (body.aliasExists) throw new MatrixError("M_UNKNOWN", `Room alias ${roomAlias} already exists`, {}, 409);
    return {};
  });

  clientRoute(server, "DELETE", "/directory/room/:roomAlias", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomAlias } = parseParams(aliasParams, req.params);
    localAlias(roomAlias);
    // A server admin may remove any alias; anyone else acts as themselves (roomserver checks who).
    const { body } = await ctx.roomserver.removeRoomAlias({ body: { alias: roomAlias, ...(me.isAdmin ? {} : { userId: me.userId }) } });
    if (!body.found) throw new MatrixError("M_NOT_FOUND", `Room alias ${roomAlias} not found`);
    if (!body.removed) throw new MatrixError("M_FORBIDDEN", `You may not remove ${roomAlias}`);
    return {};
  });

  clientRoute(server, "GET", "/rooms/:roomId/aliases", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    // Members may list them, and anyone may when the room's history is world_readable.
    if (!(await worldReadable(ctx, roomId))) await requireJoined(ctx, roomId, me.userId);
    const { body } = await ctx.roomserver.queryAliasesForRoom({ body: { roomId } });
    return { aliases: body.aliases };
  });
}

async function worldReadable(ctx: RouteContext, roomId: string): Promise<boolean> {
  const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.history_visibility", stateKey: "" }] } });
  return (body.stateEvents[0]?.content as { history_visibility?: unknown } | undefined)?.history_visibility === "world_readable";
}
