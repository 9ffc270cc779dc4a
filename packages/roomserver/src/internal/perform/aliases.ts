/** Local room aliases: set, remove, resolve, list. Remote aliases are a directory lookup (federationsender). */
import { getRoomVersion, MatrixError, parseRoomAlias, requiredPowerLevelForEvent, userPowerLevel } from "@dendrite-ts/protocol";
import { serverOf, type RoomserverContext } from "../context";
import type { Inputter } from "../input/inputter";
import { currentStateEvent } from "../query/state";
import { buildRoomEvent } from "./build";

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
export async function removeAlias(ctx: RoomserverContext, inputter: Inputter, alias: string, userId?: string): Promise<{ found: boolean; removed: boolean }> {
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
  // Nothing deleted: a concurrent delete took it since we looked, so it is gone (404), not refused.
  if (!(await ctx.store.deleteAlias(alias))) return { found: false, removed: false };
  if (userId !== undefined) await dropFromCanonicalAlias(ctx, inputter, found.roomId, alias, userId);
  return { found: true, removed: true };
}

/**
 * The room's m.room.canonical_alias should not go on naming a deleted alias (directory.yaml lets
 * servers update it): the deleter sends the event without it. Someone without power to send it
 * still deletes the alias (as the spec recommends); the event then stays as it was.
 */
async function dropFromCanonicalAlias(ctx: RoomserverContext, inputter: Inputter, roomId: string, alias: string, userId: string): Promise<void> {
  const room = await ctx.store.roomInfo(roomId);
  const current = room ? await currentStateEvent(ctx, room, "m.room.canonical_alias", "") : undefined;
  if (!current) return;
  const content = { ...(current.content as Record<string, unknown>) };
  const alt = Array.isArray(content.alt_aliases) ? (content.alt_aliases as unknown[]) : undefined;
  if (content.alias !== alias && !alt?.includes(alias)) return;
  if (content.alias === alias) delete content.alias;
  if (alt) content.alt_aliases = alt.filter((a) => a !== alias);
  await inputter
    .buildAndInput(roomId, () => buildRoomEvent(ctx, roomId, { sender: userId, type: "m.room.canonical_alias", stateKey: "", content }))
    .catch((err: unknown) => ctx.logger.info({ err, room_id: roomId, alias }, "could not take a deleted alias out of the canonical alias event"));
}
