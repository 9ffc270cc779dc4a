/** Queries on `roomserver.room_visibility`: each room's join rule and history visibility, from current state. */
import type { Executor } from "./db";
import { roomVisibility } from "./schema";

/** The fields a current-state change set (null: the state event went away); absent ones stay. */
export interface RoomVisibilityChange {
  joinRule?: string | null;
  historyVisibility?: string | null;
}

export interface RoomVisibilityQueries {
  setRoomVisibility(roomNid: number, change: RoomVisibilityChange): Promise<void>;
}

export function roomVisibilityQueries(db: Executor): RoomVisibilityQueries {
  return {
    async setRoomVisibility(roomNid, change) {
      const set = {
        ...(change.joinRule !== undefined ? { joinRule: change.joinRule } : {}),
        ...(change.historyVisibility !== undefined ? { historyVisibility: change.historyVisibility } : {}),
      };
      if (Object.keys(set).length === 0) return;
      await db.insert(roomVisibility).values({ roomNid, ...set }).onConflictDoUpdate({ target: roomVisibility.roomNid, set });
    },
  };
}
