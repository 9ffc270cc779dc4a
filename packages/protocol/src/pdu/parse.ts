/**
 * Reading a PDU received from another server (server-server "Checks performed on receipt of a
 * PDU", step 1: "Is a valid event, otherwise it is dropped"): JSON, canonical-JSON numbers
 * (v6+), size limits, the room version's event format. Signatures, hashes and auth come after.
 */
import { z } from "zod";
import { CanonicalJsonError, canonicalJson } from "../canonical-json";
import { MatrixError } from "../errors";
import { computeEventId } from "../event-id";
import type { EventId } from "../ids/event-id";
import { roomVersionRules, type RoomVersionInput } from "../room-version-rules";
import { pduSchema, type UntrustedPdu } from "./schema";
import { checkPduSizeLimits } from "./size-limits";

export type ParsedPdu =
  | { ok: true; pdu: UntrustedPdu; eventId: EventId; /** The event as canonical JSON (what gets stored and hashed). */ canonical: string }
  | { ok: false; error: MatrixError };

function fail(errcode: "M_NOT_JSON" | "M_BAD_JSON" | "M_TOO_LARGE", message: string, field?: string): ParsedPdu {
  return { ok: false, error: new MatrixError(errcode, message, field === undefined ? {} : { field }) };
}

function describeIssue(issue: z.ZodIssue): { field: string; message: string } {
  const field = issue.path.join(".");
  return { field, message: `${field || "event"}: ${issue.message}` };
}

/**
 * Parses a PDU (text or already-parsed JSON) for `roomVersion`. Never throws for bad input:
 * the error is an `M_NOT_JSON`, `M_BAD_JSON` or `M_TOO_LARGE` MatrixError whose extras name
 * the failing `field`. Unknown room versions still throw `M_UNSUPPORTED_ROOM_VERSION`.
 */
export function parseUntrustedPdu(json: string | object, roomVersion: RoomVersionInput): ParsedPdu {
  const rules = roomVersionRules(roomVersion);
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      return fail("M_NOT_JSON", "PDU is not valid JSON");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("M_BAD_JSON", "PDU is not a JSON object");

  let canonical: string;
  try {
    canonical = canonicalJson(value, { allowNonCanonicalNumbers: !rules.eventFormat.strictCanonicalJson });
  } catch (e) {
    const path = e instanceof CanonicalJsonError ? e.path : undefined;
    return fail("M_BAD_JSON", `PDU is not canonical JSON: ${(e as Error).message}`, path);
  }

  const tooLarge = checkPduSizeLimits(value, Buffer.byteLength(canonical, "utf8"));
  if (tooLarge !== undefined) {
    return tooLarge.field === ""
      ? fail("M_TOO_LARGE", `PDU is ${tooLarge.bytes} bytes, over ${tooLarge.limit}`)
      : fail("M_TOO_LARGE", `${tooLarge.field} is ${tooLarge.bytes} bytes, over ${tooLarge.limit}`, tooLarge.field);
  }

  const result = pduSchema(rules).safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    const { field, message } = first === undefined ? { field: "", message: "invalid PDU" } : describeIssue(first);
    return fail("M_BAD_JSON", message, field);
  }
  // The ID comes from the object as received, not from zod's copy.
  return { ok: true, pdu: result.data, eventId: computeEventId(value, rules), canonical };
}
