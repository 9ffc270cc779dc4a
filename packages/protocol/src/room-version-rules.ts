/** Resolves a room version given as an ID or as rules; unknown IDs are a Matrix error. */
import { MatrixError } from "./errors";
import { getRoomVersion, type RoomVersionRules } from "./room-versions";

export type RoomVersionInput = string | RoomVersionRules;

export function roomVersionRules(version: RoomVersionInput): RoomVersionRules {
  if (typeof version !== "string") return version;
  const rules = getRoomVersion(version);
  if (rules === undefined) {
    throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `Unsupported room version ${version}`, { room_version: version });
  }
  return rules;
}
