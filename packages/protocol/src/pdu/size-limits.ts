/**
 * Size limits (client-server API, "Size limits"): the whole event in federation format,
 * signatures included, as canonical JSON, is at most 65,536 bytes; `sender`, `room_id`,
 * `state_key`, `type` and `event_id` are each at most 255 bytes.
 */
import { utf8Length } from "../ids/common";

export const MAX_PDU_BYTES = 65_536;
export const MAX_PDU_FIELD_BYTES = 255;
export const LIMITED_PDU_FIELDS = ["sender", "room_id", "state_key", "type", "event_id"] as const;

export type SizeLimitViolation = { field: string; bytes: number; limit: number };

/** The first limit `pdu` breaks, given the byte length of its canonical JSON; undefined if none. */
export function checkPduSizeLimits(pdu: object, canonicalByteLength: number): SizeLimitViolation | undefined {
  if (canonicalByteLength > MAX_PDU_BYTES) return { field: "", bytes: canonicalByteLength, limit: MAX_PDU_BYTES };
  const fields = pdu as Record<string, unknown>;
  for (const field of LIMITED_PDU_FIELDS) {
    const value = fields[field];
    if (typeof value !== "string") continue;
    const bytes = utf8Length(value);
    if (bytes > MAX_PDU_FIELD_BYTES) return { field, bytes, limit: MAX_PDU_FIELD_BYTES };
  }
  return undefined;
}
