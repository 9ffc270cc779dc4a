/**
 * What push rules ask of a room at an event: who is joined (and their display names), the power
 * levels and the create event, in the state before the event. Asked of the roomserver once and
 * then carried forward: the state after an event is the state before it plus the event itself,
 * so while each event's only prev_event is the one before (a room's ordinary chat), no further
 * question is asked. A fork, a restart or an eviction asks again.
 */
import type { PduJson, RoomserverClient } from "@dendrite-ts/roomserver";

export interface RoomPushState {
  /** Every joined member (any server) → display name from their member event. */
  joined: Map<string, string | undefined>;
  powerLevels: PduJson | undefined;
  create: PduJson | undefined;
}

export type StateRoomserver = Pick<RoomserverClient, "queryStateAfterEvents">;

const STATE_TUPLES = [
  { type: "m.room.member", stateKey: "*" },
  { type: "m.room.power_levels", stateKey: "" },
  { type: "m.room.create", stateKey: "" },
];

/** Rooms remembered at once (the most recently active). */
const MAX_ROOMS = 500;

const displayNameOf = (content: unknown): string | undefined => {
  const d = (content as { displayname?: unknown } | undefined)?.displayname;
  return typeof d === "string" ? d : undefined;
};

function applyEvent(state: RoomPushState, ev: PduJson): RoomPushState {
  if (typeof ev.state_key !== "string") return state;
  if (ev.type === "m.room.member") {
    const joined = new Map(state.joined);
    const content = ev.content as { membership?: unknown } | undefined;
    if (content?.membership === "join") joined.set(ev.state_key, displayNameOf(content));
    else joined.delete(ev.state_key);
    return { ...state, joined };
  }
  if (ev.type === "m.room.power_levels" && ev.state_key === "") return { ...state, powerLevels: ev };
  if (ev.type === "m.room.create" && ev.state_key === "") return { ...state, create: ev };
  return state;
}

export class RoomStateCache {
  /** roomId → the state after `eventId` (insertion order = recency). */
  private rooms = new Map<string, { eventId: string; state: RoomPushState }>();
  /** Round trips to the roomserver, for the cost figures. */
  fetches = 0;

  constructor(private roomserver: StateRoomserver) {}

  /** The state before `ev` (the room's state at its prev_events). */
  async before(roomId: string, ev: PduJson): Promise<RoomPushState | undefined> {
    const prevs = Array.isArray(ev.prev_events) ? (ev.prev_events as unknown[]).filter((p): p is string => typeof p === "string") : [];
    const cached = this.rooms.get(roomId);
    if (cached && prevs.length === 1 && prevs[0] === cached.eventId) return cached.state;
    this.fetches++;
    const { status, body } = await this.roomserver.queryStateAfterEvents({ body: { roomId, prevEventIds: prevs, stateToFetch: STATE_TUPLES } });
    if (status !== 200) throw new Error(`queryStateAfterEvents: status ${status}`);
    if (!body.roomExists || !body.prevEventsExist) return undefined;
    const state: RoomPushState = { joined: new Map(), powerLevels: undefined, create: undefined };
    for (const e of body.stateEvents) {
      if (e.type === "m.room.member" && typeof e.state_key === "string") {
        if ((e.content as { membership?: unknown }).membership === "join") state.joined.set(e.state_key, displayNameOf(e.content));
      } else if (e.type === "m.room.power_levels") state.powerLevels = e;
      else if (e.type === "m.room.create") state.create = e;
    }
    return state;
  }

  /** Remembers the state after `ev`, given the state before it. */
  remember(roomId: string, eventId: string, ev: PduJson, before: RoomPushState): void {
    this.rooms.delete(roomId);
    this.rooms.set(roomId, { eventId, state: applyEvent(before, ev) });
    if (this.rooms.size > MAX_ROOMS) this.rooms.delete(this.rooms.keys().next().value!);
  }

  forget(roomId: string): void {
    this.rooms.delete(roomId);
  }
}
