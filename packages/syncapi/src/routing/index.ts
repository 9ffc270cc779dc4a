/** Registers every public route of the syncapi on a fastify server, one area per file. */
import type { KeyserverForSync } from "@dendrite-ts/keyserver";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { CatchUp } from "./catch-up";
import type { Notifier } from "../notifier";
import type { SyncStore } from "../storage";
import type { IgnoredUsers } from "../sync/ignored-users";
import type { TypingSource } from "../sync/ephemeral";
import type { PresenceSource } from "../sync/presence-section";
import type { PresenceReporter } from "../sync/presence-reports";
import { registerEventRoutes } from "./events";
import { registerFilterRoutes } from "./filters";
import { registerKeyChangesRoute } from "./keys-changes";
import { registerMembersRoute } from "./members";
import { registerMessagesRoute } from "./messages";
import { registerRelationsRoutes } from "./relations";
import { registerSearchRoute } from "./search";
import { registerSyncRoute } from "./sync";
import { registerThreadsRoute } from "./threads";
import { registerTimestampToEventRoute } from "./timestamp-to-event";

export interface RoutingDeps {
  store: SyncStore;
  userapi: Pick<UserapiForSync, "queryAccessToken">;
  keyserver: KeyserverForSync;
  notifier: Notifier;
  /** Waits for what the roomserver holds before a 403 or 404 (read-after-write). */
  catchUp: CatchUp;
  /** Each user's ignore list, in memory. */
  ignored: IgnoredUsers;
  /** Who is typing where, for /sync. */
  typing: TypingSource;
  /** Local users' presence, for /sync; syncing users are reported to eduserver. */
  presence: PresenceSource;
  presenceReports: Pick<PresenceReporter, "begin">;
  closing(): boolean;
}

export function registerRoutes(server: HttpServer, deps: RoutingDeps): void {
  registerSyncRoute(server, deps);
  registerFilterRoutes(server, deps);
  registerMessagesRoute(server, deps);
  registerEventRoutes(server, deps);
  registerMembersRoute(server, deps);
  registerRelationsRoutes(server, deps);
  registerThreadsRoute(server, deps);
  registerTimestampToEventRoute(server, deps);
  registerSearchRoute(server, deps);
  registerKeyChangesRoute(server, deps);
}
