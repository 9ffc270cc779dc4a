// The public face of @dendrite-ts/protocol: named exports only.
export { ERRCODE_STATUS, MatrixError, isMatrixError } from "./errors";
export type { Errcode, MatrixErrorExtras } from "./errors";
export { DEFAULT_ROOM_VERSION, SUPPORTED_ROOM_VERSIONS, getRoomVersion } from "./room-versions";
export type {
  AuthorizationRules,
  EventFormatRules,
  EventIdFormat,
  RedactionRules,
  RoomVersionRules,
  SignatureRules,
  StateResAlgorithm,
} from "./room-versions";
