/**
 * Room IDs (appendices, "Room IDs"): `!opaque:domain` in room versions 1–11; from v12, the
 * create event's event ID with `!` for `$` (43 URL-safe base64 characters, no domain).
 */
import { InvalidIdentifierError, MAX_IDENTIFIER_BYTES, isOpaqueLocalpart, schemaFromParser, splitSigilled, utf8Length } from "./common";
import { isValidServerName, type ServerName } from "./server-name";

export type RoomId = string & { readonly __brand: "RoomId" };

/** `!` + unpadded URL-safe base64 of a SHA-256 reference hash. */
const HASH_ROOM_ID = /^![A-Za-z0-9_-]{43}$/;

function roomIdError(s: string): string | undefined {
  if (!s.startsWith("!")) return "expected ! sigil";
  if (utf8Length(s) > MAX_IDENTIFIER_BYTES) return "longer than 255 bytes";
  const parts = splitSigilled(s, "!");
  if (parts === undefined) return HASH_ROOM_ID.test(s) ? undefined : "neither !opaque:domain nor a v12 hash room ID";
  if (!isOpaqueLocalpart(parts.localpart)) return "bad localpart";
  return isValidServerName(parts.domain) ? undefined : "bad server name";
}

export function isValidRoomId(s: string): boolean {
  return roomIdError(s) === undefined;
}

export function parseRoomId(s: string): RoomId {
  const reason = roomIdError(s);
  if (reason !== undefined) throw new InvalidIdentifierError("room ID", s, reason);
  return s as RoomId;
}

/** The domain of a `!opaque:domain` room ID; undefined for v12 hash room IDs. */
export function roomIdServerName(id: RoomId): ServerName | undefined {
  const colon = id.indexOf(":");
  return colon === -1 ? undefined : (id.slice(colon + 1) as ServerName);
}

export const roomIdSchema = schemaFromParser(parseRoomId, "room ID");
