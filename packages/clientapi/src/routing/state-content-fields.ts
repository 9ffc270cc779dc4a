/**
 * PUT /state (and createRoom's initial_state) for the spec's events whose content schema
 * requires a string field (m.room.name, m.room.topic, m.room.tombstone): content without it, or
 * with another type, is a malformed request, 400 M_BAD_JSON, sent nowhere. `name: ""` stays
 * valid: it is how a name is removed. A tombstone's `body` is refused only when present and not a string: clients that
 * omit it interoperate with Synapse, which asks only for `replacement_room`.
 */
import { MatrixError } from "@dendrite-ts/protocol";

const requiredStrings: Record<string, string[]> = {
  "m.room.name": ["name"],
  "m.room.topic": ["topic"],
  "m.room.tombstone": ["replacement_room"],
};
const optionalStrings: Record<string, string[]> = {
  "m.room.tombstone": ["body"],
};

/** `where`: how the error names the content (the body of PUT /state, an initial_state entry). */
export function checkStringFields(eventType: string, content: Record<string, unknown>, where = "body"): void {
  for (const field of requiredStrings[eventType] ?? []) {
    if (!(field in content)) throw new MatrixError("M_BAD_JSON", `${where}.${field}: required in ${eventType}`);
    if (typeof content[field] !== "string") throw new MatrixError("M_BAD_JSON", `${where}.${field}: must be a string`);
  }
  for (const field of optionalStrings[eventType] ?? []) {
    if (field in content && typeof content[field] !== "string") throw new MatrixError("M_BAD_JSON", `${where}.${field}: must be a string`);
  }
}
