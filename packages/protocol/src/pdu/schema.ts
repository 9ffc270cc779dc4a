/**
 * Zod schemas of received PDUs per room version format (server-server `pdu_v1` … `pdu_v12`).
 * Lenient where the auth rules must decide (unknown keys pass through, content is any object),
 * strict where the format itself is at stake (types of the required fields, event ID shapes).
 */
import { z } from "zod";
import { isValidEventId } from "../ids/event-id";
import { isValidRoomId } from "../ids/room-id";
import { isValidUserId } from "../ids/user-id";
import type { RoomVersionRules } from "../room-versions";

const jsonObject = z.record(z.unknown());
const integer = z.number().int();

const userId = z.string().refine((s) => isValidUserId(s), "not a valid user ID");
const roomId = z.string().refine((s) => isValidRoomId(s), "not a valid room ID");

function eventIdOf(format: RoomVersionRules["eventFormat"]["eventIdFormat"]) {
  return z.string().refine((s) => isValidEventId(s, format), `not a ${format} event ID`);
}

const pduBase = z
  .object({
    type: z.string(),
    sender: userId,
    state_key: z.string().optional(),
    content: jsonObject,
    depth: integer.nonnegative(),
    origin_server_ts: integer,
    hashes: z.object({ sha256: z.string() }).passthrough(),
    signatures: z.record(z.record(z.string())),
    unsigned: jsonObject.optional(),
    redacts: z.string().optional(),
  })
  .passthrough();

function v1Schema() {
  const ref = z.tuple([eventIdOf("v1"), z.object({ sha256: z.string() }).passthrough()]);
  return pduBase.extend({
    event_id: eventIdOf("v1"),
    room_id: roomId,
    auth_events: z.array(ref).max(10),
    prev_events: z.array(ref).max(20),
  });
}

function v3Schema(rules: RoomVersionRules) {
  const id = eventIdOf(rules.eventFormat.eventIdFormat);
  const schema = pduBase.extend({
    room_id: roomId.optional(),
    auth_events: z.array(id).max(10),
    prev_events: z.array(id).max(20),
  });
  // v12: only the create event lacks a room ID (and then it must, per its auth rule).
  return schema.superRefine((pdu, ctx) => {
    const mayOmit = rules.eventFormat.roomIdFromCreateEvent && pdu.type === "m.room.create";
    if (pdu.room_id === undefined && !mayOmit) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["room_id"], message: "Required" });
    }
  });
}

const cache = new Map<string, z.ZodType<UntrustedPdu>>();

/** The received-PDU schema of a room version (built once per version). */
export function pduSchema(rules: RoomVersionRules): z.ZodType<UntrustedPdu> {
  let schema = cache.get(rules.id);
  if (schema === undefined) {
    schema = (rules.eventFormat.eventIdFormat === "v1" ? v1Schema() : v3Schema(rules)) as unknown as z.ZodType<UntrustedPdu>;
    cache.set(rules.id, schema);
  }
  return schema;
}

/** A received PDU after format checks: known fields typed, anything else kept as is. */
export type UntrustedPdu = z.infer<typeof pduBase> & {
  room_id?: string;
  event_id?: string;
  auth_events: unknown[];
  prev_events: unknown[];
};
