// @dendrite-ts/keyserver: end-to-end encryption keys — devices' identity keys, one-time and
// fallback keys, cross-signing, server-side key backups — and the device-list change stream.
// Named exports only.
export {
  keyserverContract,
  type KeyserverContract,
  type KeyserverApi,
  type KeyserverClient,
  type KeyserverForClient,
  type KeyserverForSync,
  type UploadKeysRequest,
  type UploadSigningKeysRequest,
  backedUpKeySchema,
  type BackedUpKey,
  type BackedUpRooms,
} from "./api";
export { createKeyserver, type Keyserver, type KeyserverDeps, type KeyserverStreams } from "./keyserver";
export {
  OUTPUT_KEY_CHANGE_EVENT,
  outputKeyChangeEventStream,
  outputKeyChangeEventSchema,
  keyChangeSubject,
  type OutputKeyChangeEvent,
} from "./output";
