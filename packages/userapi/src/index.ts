// @dendrite-ts/userapi: accounts, devices, access tokens, profiles, account data, UIA,
// notifications (push rule outcomes and unread counts), pushers.
// Named exports only.
export {
  userapiContract,
  type UserapiContract,
  type UserapiApi,
  type UserapiClient,
  type UserapiForClient,
  type UserapiForSync,
  type UserapiForAuth,
  type UserapiForFederation,
  type CreateAccountRequest,
  type TokenInfo,
  type Device,
  type ProfileBody,
  type ProfileChangeBody,
  type UiaChallengeBody,
  type PusherBody,
} from "./api";
export { createUserapi, type Userapi, type UserapiDeps, type UserapiStreams } from "./userapi";
export type { RegistrationConfig } from "./internal/context";
export type { ScryptParams } from "./internal/password";
export type { UiaPurpose } from "./internal/uia";
export { sharedSecretMac } from "./internal/shared-secret";
export {
  OUTPUT_CLIENT_DATA,
  outputClientDataStream,
  clientDataSubject,
  clientDataMsgId,
  outputClientDataSchema,
  type OutputClientData,
  OUTPUT_NOTIFICATION_DATA,
  outputNotificationDataStream,
  notificationDataSubject,
  notificationDataMsgId,
  outputNotificationDataSchema,
  type OutputNotificationData,
  type UnreadCounts,
} from "./output";
export { ROOM_EVENT_CONSUMER, RECEIPT_CONSUMER } from "./consumers";
export { registrationFromConfig, ensureConfiguredTokens, type RegistrationSection } from "./from-config";
export { requesterOf, type Requester } from "./requester";
