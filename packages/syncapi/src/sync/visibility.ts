/**
 * History visibility (client-server API, "Room History Visibility", server behaviour): whether a
 * user may see an event, from the room's history_visibility and the user's membership *at that
 * event* — the state before it, by stream position. A history_visibility event and the user's
 * own member events are visible when the rule allows them before or after the event, and one's
 * own leaving of an invite or a join always is.
 */
import type { StateRow, StoredEvent, SyncStore } from "../storage";

type Visibility = "world_readable" | "shared" | "invited" | "joined";

interface Timeline<T> {
  rows: StateRow[];
  values: Map<string, T>;
}

function before<T>(h: Timeline<T>, pos: number): T | undefined {
  const row = h.rows.find((r) => r.addedPos < pos && (r.removedPos === null || r.removedPos >= pos));
  return row ? h.values.get(row.eventId) : undefined;
}

function after<T>(h: Timeline<T>, pos: number): T | undefined {
  const row = h.rows.find((r) => r.addedPos <= pos && (r.removedPos === null || r.removedPos > pos));
  return row ? h.values.get(row.eventId) : undefined;
}

function asVisibility(v: unknown): Visibility {
  return v === "world_readable" || v === "invited" || v === "joined" || v === "shared" ? v : "shared";
}

/** What deciding visibility in one room for one user needs, loaded once. */
export interface RoomVisibility {
  /** Visibility in force after position pos (for "is this room readable now"). */
  visibilityAfter(pos: number): Visibility;
  canSee(ev: Pick<StoredEvent, "pos" | "type" | "stateKey">): boolean;
  /** The user's membership after position pos ("leave" when they had none): unsigned.membership. */
  membershipAt(pos: number): string;
}

export async function loadRoomVisibility(store: SyncStore, roomId: string, userId: string): Promise<RoomVisibility> {
  const [visRows, memberRows] = await Promise.all([
    store.state.keyHistory(roomId, "m.room.history_visibility", ""),
    store.state.keyHistory(roomId, "m.room.member", userId),
  ]);
  const visEvents = await store.events.eventsByIds(visRows.map((r) => r.eventId));
  const values = new Map(visEvents.map((e) => [e.eventId, (e.eventJson.content as Record<string, unknown> | undefined)?.history_visibility]));
  return roomVisibility(userId, visRows, values, memberRows);
}

/**
 * RoomVisibility from what it is decided on, read elsewhere: the history of the room's
 * history_visibility key with each event's content.history_visibility (only events we hold are
 * in `values`), and the history of the user's member key — both oldest first.
 */
export function roomVisibility(userId: string, visRows: StateRow[], values: ReadonlyMap<string, unknown>, memberRows: StateRow[]): RoomVisibility {
  const vis: Timeline<Visibility> = {
    rows: visRows,
    values: new Map([...values].map(([id, v]) => [id, asVisibility(v)])),
  };
  const mem: Timeline<string> = { rows: memberRows, values: new Map(memberRows.map((r) => [r.eventId, r.membership ?? "leave"])) };
  const joinPositions = memberRows.filter((r) => r.membership === "join").map((r) => r.addedPos);

  const allowed = (v: Visibility, membership: string | undefined, pos: number): boolean => {
    if (v === "world_readable") return true;
    if (membership === "join") return true;
    if (v === "shared" && joinPositions.some((p) => p >= pos)) return true;
    if (v === "invited" && membership === "invite") return true;
    return false;
  };

  return {
    visibilityAfter: (pos) => after(vis, pos) ?? "shared",
    membershipAt: (pos) => after(mem, pos) ?? "leave",
    canSee(ev) {
      const p = ev.pos;
      const vBefore = before(vis, p) ?? "shared";
      const mBefore = before(mem, p);
      if (allowed(vBefore, mBefore, p)) return true;
      if (ev.type === "m.room.history_visibility" && ev.stateKey === "") return allowed(after(vis, p) ?? "shared", mBefore, p);
      if (ev.type === "m.room.member" && ev.stateKey === userId) {
        // As Synapse does: one's own leave after an invite or a join is always shown, or a
        // rejected invite would never leave the client's list.
        if ((mBefore === "invite" || mBefore === "join" || mBefore === "knock") && after(mem, p) !== "join") return true;
        return allowed(vBefore, after(mem, p), p);
      }
      return false;
    },
  };
}

