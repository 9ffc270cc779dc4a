/** Queries on `roomserver.rooms`: one row per room we know, with its current state pointer. */
import { eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { rooms } from "./schema";

export interface RoomInfo {
  roomNid: number;
  roomId: string;
  roomVersion: string;
  /** 0 until the create event is stored. */
  stateSnapshotNid: number;
  latestEventNids: number[];
  lastEventNid: number;
}

export interface RoomQueries {
  /** The room's NID, creating the row if it is new (version fixed by the first caller). */
  assignRoomNid(roomId: string, roomVersion: string): Promise<number>;
  roomInfo(roomId: string): Promise<RoomInfo | undefined>;
  roomInfoByNid(roomNid: number): Promise<RoomInfo | undefined>;
  roomIdsByNid(roomNids: readonly number[]): Promise<Map<number, string>>;
  /** Locks the row for the rest of the transaction (input runs one event per room at a time anyway). */
  roomInfoForUpdate(roomNid: number): Promise<RoomInfo | undefined>;
  /**
   * Deletes everything stored for the room except state blocks (shared across rooms by hash).
   * Run in a transaction, with the purge_room output.
   */
  purgeRoom(roomNid: number, roomId: string): Promise<void>;
  /** Moves the room forward: new current state and forward extremities. */
  updateLatestEvents(roomNid: number, stateSnapshotNid: number, latestEventNids: number[], lastEventNid: number): Promise<void>;
}

export function roomQueries(db: Executor): RoomQueries {
  return {
    async assignRoomNid(roomId, roomVersion) {
      const inserted = await db
        .insert(rooms)
        .values({ roomId, roomVersion })
        .onConflictDoNothing({ target: rooms.roomId })
        .returning({ roomNid: rooms.roomNid });
      if (inserted[0]) return inserted[0].roomNid;
      const [row] = await db.select({ roomNid: rooms.roomNid }).from(rooms).where(eq(rooms.roomId, roomId));
      if (!row) throw new Error(`room ${roomId} vanished while assigning its NID`);
      return row.roomNid;
    },
    async roomInfo(roomId) {
      const [row] = await db.select().from(rooms).where(eq(rooms.roomId, roomId));
      return row;
    },
    async roomInfoByNid(roomNid) {
      const [row] = await db.select().from(rooms).where(eq(rooms.roomNid, roomNid));
      return row;
    },
    async roomIdsByNid(roomNids) {
      if (roomNids.length === 0) return new Map();
      const rows = await db
        .select({ roomNid: rooms.roomNid, roomId: rooms.roomId })
        .from(rooms)
        .where(inArray(rooms.roomNid, [...roomNids]));
      return new Map(rows.map((r) => [r.roomNid, r.roomId]));
    },
    async roomInfoForUpdate(roomNid) {
      const [row] = await db.select().from(rooms).where(eq(rooms.roomNid, roomNid)).for("update");
      return row;
    },
    async purgeRoom(roomNid, roomId) {
      // Redactions first: they are keyed by event ID, so find them through the room's events.
      await db.execute(sql`DELETE FROM roomserver.redactions WHERE redaction_event_id IN (SELECT event_id FROM roomserver.events WHERE room_nid = ${roomNid})
        OR redacts_event_id IN (SELECT event_id FROM roomserver.events WHERE room_nid = ${roomNid})`);
      await db.execute(sql`DELETE FROM roomserver.events WHERE room_nid = ${roomNid}`);
      await db.execute(sql`DELETE FROM roomserver.state_snapshots WHERE room_nid = ${roomNid}`);
      await db.execute(sql`DELETE FROM roomserver.memberships WHERE room_nid = ${roomNid}`);
      await db.execute(sql`DELETE FROM roomserver.invites WHERE room_nid = ${roomNid}`);
      await db.execute(sql`DELETE FROM roomserver.room_aliases WHERE room_id = ${roomId}`);
      await db.execute(sql`DELETE FROM roomserver.published WHERE room_id = ${roomId}`);
      await db.execute(sql`DELETE FROM roomserver.room_visibility WHERE room_nid = ${roomNid}`);
      await db.execute(sql`DELETE FROM roomserver.rooms WHERE room_nid = ${roomNid}`);
    },
    async updateLatestEvents(roomNid, stateSnapshotNid, latestEventNids, lastEventNid) {
      await db.update(rooms).set({ stateSnapshotNid, latestEventNids, lastEventNid }).where(eq(rooms.roomNid, roomNid));
    },
  };
}
