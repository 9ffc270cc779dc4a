/**
 * Checks on the event a sent event relates to (client-server API, "Forming relationships between
 * events"; threading.md, "Validation of m.thread relationships"), made before the event is built:
 * the target must be in the same room, and a thread may not start from an event that is itself a
 * relation (an edit, a thread reply, a reaction). A target this server does not hold is let
 * through, as the spec leaves that to the aggregating side.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { ClientRoomserver } from "../deps";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function assertRelationTargetAllowed(roomserver: Pick<ClientRoomserver, "queryEventsById">, roomId: string, content: Record<string, unknown>): Promise<void> {
  const rel = content["m.relates_to"];
  // Only typed relations: a rich reply's bare m.in_reply_to is not a relationship here.
  if (!isObject(rel) || typeof rel.rel_type !== "string" || typeof rel.event_id !== "string") return;
  const { body } = await roomserver.queryEventsById({ body: { eventIds: [rel.event_id] } });
  // One ID asked for; a PDU of room version 3 and later does not carry its own ID.
  const target = body.events[0];
  if (!target) return;
  if (target.room_id !== roomId) throw new MatrixError("M_UNKNOWN", "Relations must be in the same room");
  if (rel.rel_type === "m.thread") {
    const targetRel = isObject(target.content) ? target.content["m.relates_to"] : undefined;
    if (isObject(targetRel) && typeof targetRel.rel_type === "string") throw new MatrixError("M_UNKNOWN", "Cannot start threads from an event with a relation");
  }
}
