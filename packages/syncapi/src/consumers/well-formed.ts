/**
 * A message that can never be processed (a producer bug, a foreign publisher) must not block
 * the stream behind it forever: such messages are logged and skipped. Transient failures
 * (the database) still throw and are redelivered.
 */
import type { OutputRoomEvent } from "@dendrite-ts/roomserver";
import { outputClientDataSchema, outputNotificationDataSchema, type OutputClientData, type OutputNotificationData } from "@dendrite-ts/userapi";
import {
  outputPresenceEventSchema,
  outputReceiptEventSchema,
  outputSendToDeviceEventSchema,
  outputTypingEventSchema,
  type OutputPresenceEvent,
  type OutputReceiptEvent,
  type OutputSendToDeviceEvent,
  type OutputTypingEvent,
} from "@dendrite-ts/eduserver";
import { outputKeyChangeEventSchema, type OutputKeyChangeEvent } from "@dendrite-ts/keyserver";
import type { z } from "zod";

/**
 * The fields each known kind must carry (more may come along). Checked by hand rather than with
 * zod: every message on the room stream passes here, and in a profile of the monolith under chat
 * load the zod parse cost ~35 µs a message (2 µs in a tight loop: in the server it runs cold).
 */
type FieldKind = "string" | "strings" | "object";
const ROOM_EVENT_FIELDS: Record<OutputRoomEvent["kind"], Record<string, FieldKind>> = {
  new_room_event: { roomId: "string", roomVersion: "string", eventId: "string", event: "object", addsStateEventIds: "strings", removesStateEventIds: "strings" },
  old_room_event: { roomId: "string", roomVersion: "string", eventId: "string", event: "object" },
  new_invite: { roomId: "string", roomVersion: "string", eventId: "string", event: "object", targetUserId: "string" },
  retire_invite: { roomId: "string", eventId: "string", targetUserId: "string", retiredByEventId: "string", membership: "string" },
  redacted_event: { roomId: "string", redactedEventId: "string", redactedBecause: "object" },
  purge_room: { roomId: "string" },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fieldProblem(value: unknown, kind: FieldKind): string | undefined {
  switch (kind) {
    case "string":
      return typeof value === "string" ? undefined : "expected a string";
    case "strings":
      if (!Array.isArray(value)) return "expected an array of strings";
      return value.every((x) => typeof x === "string") ? undefined : "expected an array of strings";
    case "object":
      return isRecord(value) ? undefined : "expected an object";
  }
}

export type Checked<T> = { ok: true; msg: T } | { ok: false; reason: string };

function check<T>(schema: z.ZodTypeAny, value: unknown): Checked<T> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, msg: value as T };
  const issue = r.error.issues[0];
  return { ok: false, reason: issue ? `${issue.path.join(".")}: ${issue.message}` : "malformed" };
}

/** Unknown kinds pass: the handler's exhaustive switch decides about those. */
export function checkRoomEvent(value: unknown): Checked<OutputRoomEvent> {
  if (!isRecord(value)) return { ok: false, reason: "expected an object" };
  const kind = value.kind;
  if (typeof kind !== "string") return { ok: false, reason: "kind: expected a string" };
  const fields = (ROOM_EVENT_FIELDS as Record<string, Record<string, FieldKind> | undefined>)[kind];
  if (!fields) return { ok: true, msg: value as unknown as OutputRoomEvent };
  for (const [name, want] of Object.entries(fields)) {
    const problem = fieldProblem(value[name], want);
    if (problem) return { ok: false, reason: `${name}: ${problem}` };
  }
  return { ok: true, msg: value as unknown as OutputRoomEvent };
}

export function checkClientData(value: unknown): Checked<OutputClientData> {
  return check(outputClientDataSchema, value);
}

export function checkTypingEvent(value: unknown): Checked<OutputTypingEvent> {
  return check(outputTypingEventSchema, value);
}

export function checkReceiptEvent(value: unknown): Checked<OutputReceiptEvent> {
  return check(outputReceiptEventSchema, value);
}

export function checkNotificationData(value: unknown): Checked<OutputNotificationData> {
  return check(outputNotificationDataSchema, value);
}

/** The parsed message (zod's output, not the input): what the key-change and to-device handlers were written for. */
function parsed<S extends z.ZodTypeAny>(schema: S, value: unknown): Checked<z.output<S>> {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, msg: r.data } : { ok: false, reason: r.error.message };
}

export function checkKeyChange(value: unknown): Checked<OutputKeyChangeEvent> {
  return parsed(outputKeyChangeEventSchema, value);
}

export function checkSendToDevice(value: unknown): Checked<OutputSendToDeviceEvent> {
  return parsed(outputSendToDeviceEventSchema, value);
}

export function checkPresence(value: unknown): Checked<OutputPresenceEvent> {
  return check(outputPresenceEventSchema, value);
}
