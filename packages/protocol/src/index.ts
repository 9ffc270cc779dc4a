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

// Canonical JSON, base64, signing JSON
export { CanonicalJsonError, canonicalJson, canonicalJsonBytes } from "./canonical-json";
export type { CanonicalJsonOptions } from "./canonical-json";
export { Base64Error, decodeBase64, encodeBase64, isValidBase64 } from "./base64";
export type { EncodeBase64Options } from "./base64";
export { generateSigningKey, protocolReady, signingKeyFromSeed } from "./signing-key";
export type { SigningKey } from "./signing-key";
export {
  computeJsonSignature,
  getSignature,
  signBytes,
  signJson,
  signatureKeyIds,
  signedBytes,
  verifyBytes,
  verifyJsonSignature,
} from "./signing";
export type { Signatures } from "./signing";

// Identifiers
export { InvalidIdentifierError, MAX_IDENTIFIER_BYTES } from "./ids/common";
export { isValidServerName, parseServerName, serverNameSchema, splitServerName } from "./ids/server-name";
export type { ServerName } from "./ids/server-name";
export {
  isCompliantUserId,
  isValidUserId,
  localpartOf,
  parseUserId,
  strictUserIdSchema,
  userIdLocalpart,
  userIdSchema,
  userIdServerName,
} from "./ids/user-id";
export type { UserId, UserIdOptions } from "./ids/user-id";
export { isValidRoomId, parseRoomId, roomIdSchema, roomIdServerName } from "./ids/room-id";
export type { RoomId } from "./ids/room-id";
export { eventIdSchema, eventIdServerName, isValidEventId, parseEventId } from "./ids/event-id";
export type { EventId } from "./ids/event-id";
export { isValidRoomAlias, parseRoomAlias, roomAliasLocalpart, roomAliasSchema, roomAliasServerName } from "./ids/room-alias";
export type { RoomAlias } from "./ids/room-alias";
export { isValidKeyId, keyIdAlgorithm, keyIdSchema, keyIdVersion, parseKeyId } from "./ids/key-id";
export type { KeyId } from "./ids/key-id";

// Authorization rules
export {
  AUTH_RULES,
  CREATOR_DEFAULT_POWER_LEVEL,
  NotAllowed,
  POWER_LEVEL_DEFAULTS,
  authEventStateKeys,
  authorize,
  checkEventAuth,
  checkEventAuthWithRules,
  isNotAllowed,
  namedPowerLevel,
  parsePowerLevel,
  requiredPowerLevelForEvent,
  roomCreators,
  userPowerLevel,
  verifySignedBlock,
} from "./auth";
export type { AuthCheckOptions, AuthResult, AuthRule, NamedPowerLevel, PowerLevelRules, StateKeyPair } from "./auth";

// Hashes, redaction, event IDs, signing and verifying events
export { roomVersionRules } from "./room-version-rules";
export type { RoomVersionInput } from "./room-version-rules";
export { computeContentHash, contentHashBytes, sha256 } from "./content-hash";
export { computeReferenceHash } from "./reference-hash";
export { redactEvent, redactEventWithRules } from "./redaction";
export { redactsOf } from "./redaction-target";
export { computeEventId, computeRoomIdFromCreateEvent } from "./event-id";
export { addEventSignature, signEvent } from "./sign-event";
export type { SignedEvent } from "./sign-event";
export {
  checkContentHash,
  requiredSignatureServers,
  requiredSignatures,
  verifyEvent,
  verifyEventSignatures,
} from "./verify-event";
export type { EventVerification, KeyLookup, SignatureCheck, VerifyKey } from "./verify-event";

// Request Authentication (X-Matrix)
export {
  XMatrixParseError,
  buildXMatrixAuthorization,
  parseXMatrixAuthorization,
  verifyXMatrixAuthorization,
} from "./x-matrix";
export type { XMatrixAuthorization, XMatrixCheck, XMatrixRequest } from "./x-matrix";

// PDUs: received (lenient) and built (strict)
export { parseUntrustedPdu } from "./pdu/parse";
export type { ParsedPdu } from "./pdu/parse";
export { pduSchema } from "./pdu/schema";
export type { UntrustedPdu } from "./pdu/schema";
export { LIMITED_PDU_FIELDS, MAX_PDU_BYTES, MAX_PDU_FIELD_BYTES, checkPduSizeLimits } from "./pdu/size-limits";
export type { SizeLimitViolation } from "./pdu/size-limits";
export type { EventHashes, EventReferenceV1, Pdu, PduV1, PduV3 } from "./pdu/types";
export { buildEvent, eventReference } from "./build-event";
export type { BuildEventInput, BuiltEvent, EventReference } from "./build-event";
export { MissingEventError, isPowerEvent, resolveState, resolveStateSync, resolveStateV1, resolveStateV2 } from "./state-res/index";
export type { ResolveStateOptions, StateResInput } from "./state-res/index";

// Push rules: the predefined rules, a user's effective ruleset and its edits, evaluation
export { MASTER_RULE_ID, PUSH_KINDS, defaultPushRules, isPushKind } from "./push-rules/defaults";
export type { PushAction, PushCondition, PushKind, PushRule, PushRuleset } from "./push-rules/defaults";
export {
  deleteUserRule,
  effectiveRuleset,
  findRule,
  isServerDefaultId,
  putUserRule,
  readStoredRules,
  setRuleActions,
  setRuleEnabled,
  stripHistoricalActions,
  toAccountData,
} from "./push-rules/merge";
export type { NewRule, Placement } from "./push-rules/merge";
export { evaluatePushRules, matchPushRule, pushOutcome, splitPropertyPath } from "./push-rules/evaluate";
export type { MatchedRule, PushContext, PushOutcome } from "./push-rules/evaluate";
