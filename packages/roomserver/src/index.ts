// @dendrite-ts/roomserver: the single owner of room DAGs and state. Named exports only.
export {
  roomserverContract,
  inputRoomEventSchema,
  pduSchema,
  type RoomserverContract,
  type RoomserverApi,
  type RoomserverClient,
  type RoomserverForClient,
  type RoomserverForSync,
  type RoomserverForFederation,
  type InputRoomEvent,
  type InputResult,
  type CreateRoomRequest,
  type MemberProfile,
  type PublicRoom,
  type RoomSummary,
  type DirectoryUser,
  type PduJson,
  type StateKeyTuple,
} from "./api";
export {
  createRoomserver,
  inputRoomEventStream,
  outputRoomEventStream,
  type Roomserver,
  type RoomserverDeps,
} from "./roomserver";
export {
  INPUT_ROOM_EVENT_STREAM,
  OUTPUT_ROOM_EVENT_STREAM,
  inputSubject,
  outputSubject,
  type OutputRoomEvent,
  type OutputRoomEventKind,
  type NewRoomEventOutput,
  type OldRoomEventOutput,
  type NewInviteOutput,
  type RetireInviteOutput,
  type RedactedEventOutput,
  type PurgeRoomOutput,
} from "./output";
export { outputMsgId } from "./internal/output-relay";
