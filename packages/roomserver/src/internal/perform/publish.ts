/**
 * Listing a room in our public room directory, or taking it out. The spec leaves who may to the
 * server ("additional access control checks"); like Synapse, a joined member with power to send
 * m.room.canonical_alias (the room's public face) may, and so may a caller acting for nobody
 * (createRoom, a server admin).
 */
import { getRoomVersion, MatrixError, requiredPowerLevelForEvent, userPowerLevel } from "@dendrite-ts/protocol";
import type { RoomserverContext } from "../context";
import { currentStateEvent } from "../query/state";
import { requireRoom } from "./build";

export async function publish(ctx: RoomserverContext, roomId: string, visibility: "public" | "private", userId?: string): Promise<void> {
  const room = await requireRoom(ctx, roomId);
  if (userId !== undefined) {
    const rules = getRoomVersion(room.roomVersion)!;
    const member = await currentStateEvent(ctx, room, "m.room.member", userId);
    if ((member?.content as { membership?: unknown } | undefined)?.membership !== "join") {
      throw new MatrixError("M_FORBIDDEN", `User ${userId} is not in room ${roomId}`);
    }
    const pl = await currentStateEvent(ctx, room, "m.room.power_levels", "");
    const create = await currentStateEvent(ctx, room, "m.room.create", "");
    const needed = requiredPowerLevelForEvent("m.room.canonical_alias", "", pl, rules.authorization);
    if (userPowerLevel(userId, pl, create, rules.authorization) < needed) {
      throw new MatrixError("M_FORBIDDEN", "you need power to change the room's canonical alias to change its directory visibility");
    }
  }
  await ctx.store.setPublished(roomId, visibility === "public");
}
