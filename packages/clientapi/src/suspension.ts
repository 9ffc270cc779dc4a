/**
 * Account suspension (spec "Account suspension", v1.13): an admin's reversible stop on a user's
 * activity. The user keeps reading (/sync, /messages …), leaving rooms and rejecting invites,
 * redacting their own events, logging out, deleting devices and deactivating; the spec's
 * recommended set is refused with 403 M_USER_SUSPENDED: joining and knocking, sending and
 * accepting invites, sending events (state included), creating rooms, changing the profile, and
 * redacting other users' events. The routes that do those call these checks, before anything
 * changes; userapi says whether the requester is suspended when it resolves the token.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { Requester } from "./auth";
import type { ClientRoomserver } from "./deps";

type Who = Pick<Requester, "userId" | "isSuspended">;

function suspended(): MatrixError {
  return new MatrixError("M_USER_SUSPENDED", "You cannot perform this action while suspended.");
}

/** Joining, knocking, inviting, sending, creating rooms, profile changes: refused outright. */
export function refuseWhileSuspended(me: Who): void {
  if (me.isSuspended) throw suspended();
}

/** PUT /state: refused, but for the user's own membership going to `leave` (leaving stays open). */
export function refuseStateWhileSuspended(me: Who, eventType: string, stateKey: string, content: Record<string, unknown>): void {
  if (!me.isSuspended) return;
  if (eventType === "m.room.member" && stateKey === me.userId && content.membership === "leave") return;
  throw suspended();
}

/**
 * A redaction: of the user's own event it goes on; of another user's event it is refused. An
 * event not known in the room is left to the redaction's own checks (they answer as for anyone).
 */
export async function refuseRedactionWhileSuspended(
  roomserver: Pick<ClientRoomserver, "queryEventsById">,
  me: Who,
  roomId: string,
  eventId: string,
): Promise<void> {
  if (!me.isSuspended) return;
  const { body } = await roomserver.queryEventsById({ body: { eventIds: [eventId] } });
  const target = body.events[0];
  if (target && target.room_id === roomId && target.sender !== me.userId) throw suspended();
}
