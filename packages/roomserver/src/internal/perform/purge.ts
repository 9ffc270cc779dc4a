/**
 * Purging a room (an admin action): every row of it goes, in one transaction with the
 * purge_room output so every consumer forgets it too. State blocks stay: they are shared by
 * hash with other rooms, and an unused block is harmless.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { PurgeRoomOutput } from "../../output";
import type { RoomserverContext } from "../context";
import type { Inputter } from "../input/inputter";

export async function purgeRoom(ctx: RoomserverContext, inputter: Inputter, roomId: string): Promise<void> {
  await inputter.exclusive(roomId, async () => {
    const room = await ctx.store.roomInfo(roomId);
    if (!room) throw new MatrixError("M_NOT_FOUND", `room ${roomId} is unknown here`);
    const output: PurgeRoomOutput = { kind: "purge_room", roomId };
    const rows = await ctx.store.transaction(async (tx) => {
      await tx.purgeRoom(room.roomNid, roomId);
      return tx.appendOutbox([{ roomId, payload: output }]);
    });
    ctx.events.forgetRoom(room.roomNid);
    ctx.store.forgetRoom(room.roomNid);
    ctx.outputs.committed(rows);
    ctx.logger.info({ room_id: roomId }, "purged room");
  });
}
