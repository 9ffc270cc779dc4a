/** Local room aliases: set, remove, resolve, list. Remote aliases are a directory lookup (federationsender). */
import { getRoomVersion, MatrixError, parseRoomAlias, requiredPowerLevelForEvent, userPowerLevel } from "@dendrite-ts/protocol";
import { serverOf, type RoomserverContext } from "../context";
import { currentStateEvent } from "../query/state";

function requireLocalAlias(ctx: RoomserverContext, alias: string): void {
  try {
    parseRoomAlias(alias);
  } catch {
    throw new MatrixError("M_INVALID_PARAM", `${alias} is not a room alias`);
  }
  if (serverOf(alias) !== ctx.serverName) throw new MatrixError("M_INVALID_PARAM", `${alias} is not an alias of this server`);
}

export async function setAlias(ctx: RoomserverContext, alias: string, roomId: string, userId: string): Promise<{ aliasExists: boolean }> {
  requireLocalAlias(ctx, alias);
  const room = await ctx.store.roomInfo(roomId);
  if (!room) throw new MatrixError("M_NOT_FOUND", `room ${roomId} is unknown here`);
  return { aliasExists: !(await ctx.aliasWrites.run(alias, () => ctx.store.insertAlias(alias, roomId, userId))) };
}

/**
 * Its creator may remove an alias, and so may a joined member with power to set the room's
 * canonical alias (outside the room, a power level lets one send nothing); no userId is a caller
 * acting for nobody (a server admin), who may remove any.
 */
export async function removeAlias(ctx: RoomserverContext, alias: string, userId?: string): Promise<{ found: boolean; removed: boolean }> {
  const found = await ctx.store.resolveAlias(alias);
  if (!found) return { found: false, removed: false };
  if (userId !== undefined && found.creatorId !== userId) {
    const room = await ctx.store.roomInfo(found.roomId);
    const rules = room ? getRoomVersion(room.roomVersion) : undefined;
    if (!room || !rules) return { found: true, removed: false };
    const member = await currentStateEvent(ctx, room, "m.room.member", userId);
    if ((member?.content as { membership?: unknown } | undefined)?.membership !== "join") return { found: true, removed: false };
    const pl = await currentStateEvent(ctx, room, "m.room.power_levels", "");
    const create = await currentStateEvent(ctx, room, "m.room.create", "");
    const needed = requiredPowerLevelForEvent("m.room.canonical_alias", "", pl, rules.authorization);
    if (userPowerLevel(userId, pl, create, rules.authorization) < needed) return { found: true, removed: false };
  }
  return { found: true, removed: await ctx.store.deleteAlias(alias) };
}
