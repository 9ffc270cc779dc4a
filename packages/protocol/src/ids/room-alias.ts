/** Room aliases (appendices, "Room Aliases"): `#localpart:domain`, at most 255 bytes. */
import { InvalidIdentifierError, MAX_IDENTIFIER_BYTES, isOpaqueLocalpart, schemaFromParser, splitSigilled, utf8Length } from "./common";
import { isValidServerName, type ServerName } from "./server-name";

export type RoomAlias = string & { readonly __brand: "RoomAlias" };

function roomAliasError(s: string): string | undefined {
  const parts = splitSigilled(s, "#");
  if (parts === undefined) return "expected #localpart:domain";
  if (utf8Length(s) > MAX_IDENTIFIER_BYTES) return "longer than 255 bytes";
  if (!isOpaqueLocalpart(parts.localpart)) return "bad localpart";
  return isValidServerName(parts.domain) ? undefined : "bad server name";
}

export function isValidRoomAlias(s: string): boolean {
  return roomAliasError(s) === undefined;
}

export function parseRoomAlias(s: string): RoomAlias {
  const reason = roomAliasError(s);
  if (reason !== undefined) throw new InvalidIdentifierError("room alias", s, reason);
  return s as RoomAlias;
}

export function roomAliasLocalpart(alias: RoomAlias): string {
  return alias.slice(1, alias.indexOf(":"));
}

export function roomAliasServerName(alias: RoomAlias): ServerName {
  return alias.slice(alias.indexOf(":") + 1) as ServerName;
}

export const roomAliasSchema = schemaFromParser(parseRoomAlias, "room alias");
