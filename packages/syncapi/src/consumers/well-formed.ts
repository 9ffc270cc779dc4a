/**
 * A message that can never be processed (a producer bug, a foreign publisher) must not block
 * the stream behind it forever: such messages are logged and skipped. Transient failures
 * (the database) still throw and are redelivered.
 */
import type { OutputRoomEvent } from "@dendrite-ts/roomserver";
import { outputClientDataSchema, type OutputClientData } from "@dendrite-ts/userapi";
import { z } from "zod";

const pdu = z.record(z.unknown());
const ids = z.array(z.string());

const roomEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("new_room_event"),
    roomId: z.string(),
    roomVersion: z.string(),
    eventId: z.string(),
    event: pdu,
    addsStateEventIds: ids,
    removesStateEventIds: ids,
  }).passthrough(),
  z.object({ kind: z.literal("old_room_event"), roomId: z.string(), roomVersion: z.string(), eventId: z.string(), event: pdu }).passthrough(),
  z.object({ kind: z.literal("new_invite"), roomId: z.string(), roomVersion: z.string(), eventId: z.string(), event: pdu, targetUserId: z.string() }).passthrough(),
  z.object({ kind: z.literal("retire_invite"), roomId: z.string(), eventId: z.string(), targetUserId: z.string(), retiredByEventId: z.string(), membership: z.string() }).passthrough(),
  z.object({ kind: z.literal("redacted_event"), roomId: z.string(), redactedEventId: z.string(), redactedBecause: pdu }).passthrough(),
  z.object({ kind: z.literal("purge_room"), roomId: z.string() }).passthrough(),
]);


export type Checked<T> = { ok: true; msg: T } | { ok: false; reason: string };

function check<T>(schema: z.ZodTypeAny, value: unknown): Checked<T> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, msg: value as T };
  const issue = r.error.issues[0];
  return { ok: false, reason: issue ? `${issue.path.join(".")}: ${issue.message}` : "malformed" };
}

/** Unknown kinds pass: the handler's exhaustive switch decides about those. */
export function checkRoomEvent(value: unknown): Checked<OutputRoomEvent> {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const known = ["new_room_event", "old_room_event", "new_invite", "retire_invite", "redacted_event", "purge_room"];
  if (typeof kind === "string" && !known.includes(kind)) return { ok: true, msg: value as OutputRoomEvent };
  return check(roomEvent, value);
}

export function checkClientData(value: unknown): Checked<OutputClientData> {
  return check(outputClientDataSchema, value);
}
