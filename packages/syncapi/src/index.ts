// @dendrite-ts/syncapi: /sync, /messages, /context, /event, filters, /members. Named exports only.
export { createSyncapi, type Syncapi, type SyncapiDeps } from "./syncapi";
export { ROOM_EVENT_CONSUMER, CLIENT_DATA_CONSUMER } from "./consumers";
export { SYNCAPI_SCHEMA, syncapiMigrations } from "./storage";
