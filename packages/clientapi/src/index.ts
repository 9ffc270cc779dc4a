// The public face of @dendrite-ts/clientapi: named exports only.
export { createClientapi, type Clientapi } from "./clientapi";
export { clientapiConfigFrom } from "./from-config";
export type {
  ClientapiDeps,
  ClientapiConfig,
  ClientUserapi,
  ClientRoomserver,
  RateLimitConfig,
} from "./deps";
export { SUPPORTED_SPEC_VERSIONS, registerVersionsRoute } from "./routing/versions";
