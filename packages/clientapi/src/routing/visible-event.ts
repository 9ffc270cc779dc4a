/** An event as a user may ask about it by ID (receipts, reports): the room's, and visible to them. */
import { MatrixError } from "@dendrite-ts/protocol";
import type { RouteContext } from "./context";

export type Pdu = Record<string, unknown>;

/** The event, when it is the room's and the user may see it; 404 M_NOT_FOUND otherwise (the same answer for both). */
export async function visibleEventOfRoom(ctx: Pick<RouteContext, "roomserver">, roomId: string, eventId: string, userId: string): Promise<Pdu> {
  const notFound = () => new MatrixError("M_NOT_FOUND", `Event ${eventId} not found in room ${roomId}`);
  const { body } = await ctx.roomserver.queryEventsById({ body: { eventIds: [eventId] } });
  const event = body.events[0] as Pdu | undefined;
  if (!event || event.room_id !== roomId) throw notFound();
  const { body: visible } = await ctx.roomserver.queryVisibleEvents({ body: { eventIds: [eventId], userId } });
  if (!visible.visibleEventIds.includes(eventId)) throw notFound();
  return event;
}
