/**
 * Event IDs (appendices, "Event IDs"; room versions "Event IDs"): `$opaque:domain` chosen by the
 * sender in v1/v2; `$` + the reference hash in standard (v3) or URL-safe (v4+) unpadded base64.
 */
import type { EventIdFormat } from "../room-versions";
import { InvalidIdentifierError, MAX_IDENTIFIER_BYTES, isOpaqueLocalpart, schemaFromParser, splitSigilled, utf8Length } from "./common";
import { isValidServerName, type ServerName } from "./server-name";

export type EventId = string & { readonly __brand: "EventId" };

const V3_EVENT_ID = /^\$[A-Za-z0-9+/]{43}$/;
const V4_EVENT_ID = /^\$[A-Za-z0-9_-]{43}$/;

function isV1EventId(s: string): boolean {
  const parts = splitSigilled(s, "$");
  return (
    parts !== undefined &&
    parts.localpart.length > 0 &&
    isOpaqueLocalpart(parts.localpart) &&
    isValidServerName(parts.domain)
  );
}

function eventIdError(s: string, format: EventIdFormat | undefined): string | undefined {
  if (!s.startsWith("$")) return "expected $ sigil";
  if (utf8Length(s) > MAX_IDENTIFIER_BYTES) return "longer than 255 bytes";
  const ok =
    format === "v1" ? isV1EventId(s)
    : format === "v3" ? V3_EVENT_ID.test(s)
    : format === "v4" ? V4_EVENT_ID.test(s)
    : isV1EventId(s) || V3_EVENT_ID.test(s) || V4_EVENT_ID.test(s);
  return ok ? undefined : format === undefined ? "not a known event ID format" : `not a ${format} event ID`;
}

/** True for an event ID of `format`, or of any room version's format when omitted. */
export function isValidEventId(s: string, format?: EventIdFormat): boolean {
  return eventIdError(s, format) === undefined;
}

export function parseEventId(s: string, format?: EventIdFormat): EventId {
  const reason = eventIdError(s, format);
  if (reason !== undefined) throw new InvalidIdentifierError("event ID", s, reason);
  return s as EventId;
}

/** The domain of a v1/v2 `$opaque:domain` event ID; undefined for hash event IDs. */
export function eventIdServerName(id: EventId): ServerName | undefined {
  const colon = id.indexOf(":");
  return colon === -1 ? undefined : (id.slice(colon + 1) as ServerName);
}

export const eventIdSchema = schemaFromParser((s) => parseEventId(s), "event ID");
