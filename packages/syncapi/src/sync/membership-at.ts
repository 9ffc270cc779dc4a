/**
 * unsigned.membership (client_event_without_room_id.yaml, v1.11; MSC4115): the requesting
 * user's membership at an event, "including any changes caused by the event" (so their own
 * join is "join"), and "leave" before they had any. Read from the history of the user's member
 * key that deciding history visibility already loaded, so it costs no query of its own.
 * Backfilled events are judged at their (late) stream position, as visibility judges them.
 */
import type { Viewer } from "./client-event";
import type { RoomVisibility } from "./visibility";

/** The viewer, answering within one room: its events carry the viewer's membership at them. */
export function viewerInRoom<V extends Viewer>(viewer: V, visibility: Pick<RoomVisibility, "membershipAt">): V {
  return { ...viewer, membershipAt: (ev) => visibility.membershipAt(ev.pos) };
}

/** For events the viewer was certainly joined at (the live answer): no read. */
const JOINED = () => "join";
export function viewerJoined<V extends Viewer>(viewer: V): V {
  return { ...viewer, membershipAt: JOINED };
}

/** For one event after which the viewer's membership is known (a retired invite's retiring event). */
export function viewerWithMembership<V extends Viewer>(viewer: V, membership: string): V {
  return { ...viewer, membershipAt: () => membership };
}
