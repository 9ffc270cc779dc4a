/**
 * Which event a redaction redacts (room versions, "Event format"): the top-level `redacts` in
 * room versions 1–10, `content.redacts` from v11. Only that place counts: a v1–10 redaction's
 * content may carry a `redacts` of the sender's choosing (servers add one only when serving it to
 * clients), and a v11+ event's top-level `redacts` is no part of its format.
 */
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";

/** The target of an `m.room.redaction` under its room version; undefined for other events or none named. */
export function redactsOf(event: { readonly type?: unknown; readonly redacts?: unknown; readonly content?: unknown }, version: RoomVersionInput): string | undefined {
  if (event.type !== "m.room.redaction") return undefined;
  const rules = roomVersionRules(version);
  const content = event.content;
  const named = rules.eventFormat.redactsInContent
    ? typeof content === "object" && content !== null && !Array.isArray(content)
      ? (content as { redacts?: unknown }).redacts
      : undefined
    : event.redacts;
  return typeof named === "string" ? named : undefined;
}
