/**
 * What clientapi needs from the rest of the server, named up front (EXAMPLES.md §8, §12):
 * role views of the userapi and roomserver clients, its own database schema, and
 * its config. Nothing is optional or set later.
 */
import type { WellKnownConfig } from "./routing/well-known";
import type { TurnConfig } from "./routing/voip";
import type { Database, Logger } from "@dendrite-ts/runtime";
import type { RoomserverClient, RoomserverForClient } from "@dendrite-ts/roomserver";
import type { UserapiForClient } from "@dendrite-ts/userapi";
import type { EduserverForClient } from "@dendrite-ts/eduserver";
import type { KeyserverForClient } from "@dendrite-ts/keyserver";

/** Everything clientapi calls on userapi (today: the whole client view). */
export type ClientUserapi = UserapiForClient;
/**
 * Everything clientapi calls on the roomserver: its client view, plus queryStateAfterEvents
 * for GET /state (the view has no "all current state" query) and queryVisibleEvents (receipts
 * only for events the user can see).
 */
export type ClientRoomserver = RoomserverForClient & Pick<RoomserverClient, "queryStateAfterEvents" | "queryVisibleEvents">;

export interface RateLimitConfig {
  enabled: boolean;
  /** Requests a key may make in a burst. */
  threshold: number;
  /** Milliseconds for one request's worth of allowance to come back. */
  cooloffMs: number;
}

export interface ClientapiConfig {
  /** Advertised in /capabilities; the roomserver applies its own default (keep them equal). */
  defaultRoomVersion: string;
  rateLimiting: RateLimitConfig;
  /** /.well-known/matrix/client and /support; absent parts answer 404. */
  wellKnown?: WellKnownConfig;
  /** GET /voip/turnServer; absent or without uris: no TURN servers. */
  turn?: TurnConfig;
  /** POST /user_directory/search; absent: the default (searchAllUsers false). */
  userDirectory?: UserDirectoryConfig;
}

export interface UserDirectoryConfig {
  /** Search the members of every room, not only of rooms shared with the searcher and public ones. */
  searchAllUsers: boolean;
}

export interface ClientapiDeps {
  userapi: ClientUserapi;
  roomserver: ClientRoomserver;
  /** Typing notifications and receipts. */
  eduserver: EduserverForClient;
  /** End-to-end encryption keys (/keys/*), and a deleted device's keys. */
  keyserver: KeyserverForClient;
  /** Holds the `clientapi` schema (no tables since 0002); migrations run in createClientapi. */
  db: Pick<Database, "sql">;
  serverName: string;
  config: ClientapiConfig;
  logger: Pick<Logger, "info" | "warn" | "error" | "debug">;
  /** Clock, ms since the epoch (rate limiting); default Date.now. */
  now?: () => number;
}
