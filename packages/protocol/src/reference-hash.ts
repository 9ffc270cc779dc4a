/**
 * The reference hash of an event (server-server API, "Calculating the reference hash for an
 * event"): SHA-256 of the canonical JSON of the redacted event without `signatures` and
 * `unsigned`. Event IDs from room version 3 and v12 room IDs are made from it.
 */
import { canonicalJson } from "./canonical-json";
import { sha256 } from "./content-hash";
import { redactEventWithRules } from "./redaction";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";

export function computeReferenceHash(event: object, roomVersion: RoomVersionInput): Uint8Array {
  const rules = roomVersionRules(roomVersion);
  const { signatures: _s, unsigned: _u, ...redacted } = redactEventWithRules(event, rules.redaction);
  return sha256(canonicalJson(redacted, { allowNonCanonicalNumbers: !rules.eventFormat.strictCanonicalJson }));
}
