// The public face of @dendrite-ts/serverkeyapi: named exports only.
export { serverKeyContract } from "./api";
export type {
  EventVerificationResult,
  JsonVerification,
  KeyRequestBody,
  NotaryQuery,
  PublicKeyInfo,
  RequestVerification,
  ServerKeyContract,
  ServerKeysResponse,
} from "./api";
export { createServerKeyApi } from "./create";
export type { ServerKeyApi, ServerKeyApiConfig, ServerKeyApiDeps } from "./create";
export { DEFAULT_DENY_NETWORKS } from "./http/networks";
export { DeniedDestinationError, type ResolveHost } from "./http/json-http";
export type { KeyRing, ServerKeyClient } from "./views";
export { registerKeyRoutes } from "./routing/keys";
export { registerServerDiscoveryRoute } from "./routing/well-known-server";
export type { KeyPublisher } from "./routing/keys";
export { KeyFileError, readSigningKeyPem, writeSigningKeyPem } from "./key-file";
export { oldKeyFromSigningKey } from "./internal/own-keys";
export { loadConfiguredKeys, oldVerifyKeysFromConfig } from "./old-keys";
export type { ConfiguredKeys, KeysConfig, OldKeyConfig } from "./old-keys";
export type { OldVerifyKey } from "./internal/own-keys";
