/**
 * `device_list_changes`: the users whose device identity keys changed (keyserver's
 * OutputKeyChangeEvent), each at the position of its latest change in a stream of its own
 * (`syncapi.device_list_pos`, the sync token's fifth part). Written as receipts are: under a lock
 * held to commit, the stream position bumped in the same statement, so a reader's token never
 * skips a change committed later.
 *
 * And what /sync's and /keys/changes' device_lists are made of (end_to_end_encryption.md,
 * "Tracking the device list for a user"): between two tokens, `changed` holds the users sharing
 * a room with the viewer now whose keys changed, and those who came to share one (they joined
 * a room of the viewer's, or the viewer joined theirs); `left` the users who shared a room then
 * and share none now.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { Notice } from "./hot-path";
import { num } from "./raw";

/** Records that the user's keys changed, at the next device-list position. */
export async function recordKeyChange(sql: Sql, userId: string, notice?: Notice): Promise<number> {
  const rows = await sql`
    WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('syncapi.device_list_writers')) AS locked),
    w AS (
      INSERT INTO syncapi.device_list_changes AS t (user_id, pos)
      SELECT ${userId}::text, nextval('syncapi.device_list_pos') FROM lock
      ON CONFLICT (user_id) DO UPDATE SET pos = EXCLUDED.pos
      RETURNING t.pos
    ),
    bump AS (UPDATE syncapi.stream_positions sp SET pos = GREATEST(sp.pos, w.pos) FROM w WHERE sp.name = 'device_list' RETURNING sp.pos)
    SELECT w.pos, (SELECT count(*) FROM bump) AS bumped
      ${notice ? sql`, pg_notify(${notice.channel}::text, ${notice.payload}::text)` : sql``}
    FROM w`;
  return num(rows[0]!.pos);
}

/** The device-list stream's position now. */
export async function deviceListPosition(sql: Sql): Promise<number> {
  const rows = await sql`SELECT coalesce(max(pos), 0)::int8 AS pos FROM syncapi.stream_positions WHERE name = 'device_list'`;
  return rows[0] ? num(rows[0].pos) : 0;
}

/** The rooms a user is joined to as of a room-stream position. */
async function joinedAt(sql: Sql, userId: string, pos: number): Promise<string[]> {
  const rows = await sql`
    SELECT room_id FROM (
      SELECT DISTINCT ON (room_id) room_id, membership FROM syncapi.memberships
      WHERE user_id = ${userId}::text AND pos <= ${pos}::int8 ORDER BY room_id, pos DESC
    ) m WHERE membership = 'join'`;
  return rows.map((r) => r.room_id as string);
}

/** Of `users` (all joined members when null), those joined to any of `rooms` as of `pos`. */
async function membersAt(sql: Sql, rooms: string[], pos: number, users: string[] | null): Promise<Set<string>> {
  if (rooms.length === 0 || (users && users.length === 0)) return new Set();
  const rows = await sql`
    SELECT DISTINCT user_id FROM (
      SELECT DISTINCT ON (room_id, user_id) user_id, membership FROM syncapi.memberships
      WHERE room_id = ANY(${rooms}::text[]) AND pos <= ${pos}::int8
        ${users ? sql`AND user_id = ANY(${users}::text[])` : sql``}
      ORDER BY room_id, user_id, pos DESC
    ) m WHERE membership = 'join'`;
  return new Set(rows.map((r) => r.user_id as string));
}

export interface DeviceListWindow {
  userId: string;
  /** Room-stream positions of the two tokens. */
  fromRoom: number;
  toRoom: number;
  /** Device-list positions of the two tokens. */
  fromDeviceList: number;
  toDeviceList: number;
}

export async function deviceListChanges(sql: Sql, w: DeviceListWindow): Promise<{ changed: string[]; left: string[] }> {
  const changed = new Set<string>();
  const left = new Set<string>();
  const roomsTo = await joinedAt(sql, w.userId, w.toRoom);
  let ownKeysChanged = false;

  if (w.toDeviceList > w.fromDeviceList) {
    const rows = await sql`
      SELECT user_id FROM syncapi.device_list_changes WHERE pos > ${w.fromDeviceList}::int8 AND pos <= ${w.toDeviceList}::int8`;
    const keyChanged = rows.map((r) => r.user_id as string);
    // The viewer's own devices count: their other devices track them too.
    ownKeysChanged = keyChanged.includes(w.userId);
    for (const u of await membersAt(sql, roomsTo, w.toRoom, keyChanged)) changed.add(u);
    if (ownKeysChanged) changed.add(w.userId);
  }

  if (w.toRoom > w.fromRoom) {
    const roomsFrom = await joinedAt(sql, w.userId, w.fromRoom);
    const fromSet = new Set(roomsFrom);
    const toSet = new Set(roomsTo);
    const joinedRooms = roomsTo.filter((r) => !fromSet.has(r));
    const leftRooms = roomsFrom.filter((r) => !toSet.has(r));
    const kept = roomsTo.filter((r) => fromSet.has(r));
    // Everyone in a room the viewer joined.
    for (const u of await membersAt(sql, joinedRooms, w.toRoom, null)) changed.add(u);
    // Members whose membership moved in a room the viewer stayed in: joiners are new, leavers may be gone.
    const moved = kept.length
      ? (await sql`
          SELECT DISTINCT user_id FROM syncapi.memberships
          WHERE room_id = ANY(${kept}::text[]) AND pos > ${w.fromRoom}::int8 AND pos <= ${w.toRoom}::int8`).map((r) => r.user_id as string)
      : [];
    const sharedTo = await membersAt(sql, roomsTo, w.toRoom, moved);
    const sharedFrom = await membersAt(sql, roomsFrom, w.fromRoom, moved);
    for (const u of moved) {
      if (sharedTo.has(u) && !sharedFrom.has(u)) changed.add(u);
      if (!sharedTo.has(u) && sharedFrom.has(u)) left.add(u);
    }
    // Everyone of a room the viewer left who shares no other room with them now.
    const candidates = [...(await membersAt(sql, leftRooms, w.fromRoom, null))];
    const stillShared = await membersAt(sql, roomsTo, w.toRoom, candidates);
    for (const u of candidates) if (!stillShared.has(u)) left.add(u);
  }
  left.delete(w.userId);
  for (const u of left) changed.delete(u);
  // The viewer joining a room is no news about the viewer's own devices.
  if (!ownKeysChanged) changed.delete(w.userId);
  return { changed: [...changed].sort(), left: [...left].sort() };
}
