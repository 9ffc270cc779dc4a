/**
 * createClientapi: every dependency up front; our schema's migrations run here (it holds no
 * table now), then `register(server)` adds the public client-server routes to a runtime HTTP server.
 */
import type { FastifyInstance } from "fastify";
import { applyMigrations } from "@dendrite-ts/runtime";
import { createAuthenticator } from "./auth";
import { createRoomVersionCache } from "./client-events";
import type { ClientapiDeps } from "./deps";
import { createRateLimiter } from "./ratelimit";
import { registerAccountDataRoutes } from "./routing/account-data";
import { registerAccountRoutes } from "./routing/account";
import { registerAdminModerationRoutes } from "./routing/admin-moderation";
import { registerAdminRegisterRoutes } from "./routing/admin-register";
import { registerAuthRoutes } from "./routing/auth";
import { registerCapabilitiesRoute } from "./routing/capabilities";
import type { RouteContext } from "./routing/context";
import { registerCreateRoomRoute } from "./routing/create-room";
import { registerCrossSigningRoutes } from "./routing/cross-signing";
import { registerDeviceRoutes } from "./routing/devices";
import { registerDirectoryRoutes } from "./routing/directory";
import { registerKeyRoutes } from "./routing/keys";
import { registerProfileRoutes } from "./routing/profile";
import { registerPublicRoomRoutes } from "./routing/public-rooms";
import { registerReceiptRoutes } from "./routing/receipts";
import { registerRoomSummaryRoutes } from "./routing/room-summary";
import { registerMutualRoomsRoute } from "./routing/mutual-rooms";
import { registerSpaceHierarchyRoute } from "./routing/space-hierarchy";
import { registerWellKnownRoutes } from "./routing/well-known";
import { registerPresenceRoutes } from "./routing/presence";
import { registerThirdPartyRoutes } from "./routing/thirdparty";
import { registerVoipRoute } from "./routing/voip";
import { registerReportRoutes } from "./routing/reports";
import { registerAdminReportRoutes } from "./routing/admin-reports";
import { createReportStore } from "./storage/reports";
import { createPushRuleStore } from "./push-rules/store";
import { registerPushRuleRoutes } from "./routing/push-rules";
import { registerPusherRoutes } from "./routing/pushers";
import { registerNotificationsRoute } from "./routing/notifications";
import { registerRedactRoutes } from "./routing/redact";
import { registerRegisterRoutes } from "./routing/register";
import { registerRoomRoutes } from "./routing/rooms";
import { registerRoomKeyRoutes } from "./routing/room-keys";
import { registerSendRoutes } from "./routing/send";
import { registerSendToDeviceRoute } from "./routing/send-to-device";
import { registerStateRoutes } from "./routing/state";
import { registerTagRoutes } from "./routing/tags";
import { registerThreepidRoutes } from "./routing/threepid";
import { registerTypingRoute } from "./routing/typing";
import { registerUpgradeRoomRoute } from "./routing/upgrade-room";
import { registerUserDirectoryRoute } from "./routing/user-directory";
import { registerVersionsRoute } from "./routing/versions";
import { CLIENTAPI_SCHEMA, clientapiMigrations } from "./storage/migrations";
import { createTransactionStore } from "./transactions";

export interface Clientapi {
  /** Adds every clientapi route (including /versions) to the server. Call once per server. */
  register(server: FastifyInstance): void;
}

export async function createClientapi(deps: ClientapiDeps): Promise<Clientapi> {
  await applyMigrations(deps.db, CLIENTAPI_SCHEMA, clientapiMigrations);
  const now = deps.now ?? Date.now;
  const ctx: RouteContext = {
    userapi: deps.userapi,
    roomserver: deps.roomserver,
    eduserver: deps.eduserver,
    keyserver: deps.keyserver,
    serverName: deps.serverName,
    config: deps.config,
    authenticate: createAuthenticator(deps.userapi, deps.logger, now),
    rateLimit: createRateLimiter(deps.config.rateLimiting, now),
    txns: createTransactionStore({ now }),
    roomVersionOf: createRoomVersionCache(deps.roomserver),
    logger: deps.logger,
    pushRules: createPushRuleStore(deps.userapi, deps.logger),
    now,
    reports: createReportStore(deps.db.sql),
  };
  return {
    register(server) {
      registerVersionsRoute(server);
      registerWellKnownRoutes(server, ctx);
      registerVoipRoute(server, ctx);
      registerThirdPartyRoutes(server, ctx);
      registerPresenceRoutes(server, ctx);
      registerReportRoutes(server, ctx);
      registerAdminReportRoutes(server, ctx);
      registerCapabilitiesRoute(server, ctx);
      registerAuthRoutes(server, ctx);
      registerRegisterRoutes(server, ctx);
      registerAdminRegisterRoutes(server, ctx);
      registerAdminModerationRoutes(server, ctx);
      registerAccountRoutes(server, ctx);
      registerThreepidRoutes(server, ctx);
      registerDeviceRoutes(server, ctx);
      registerCreateRoomRoute(server, ctx);
      registerRoomRoutes(server, ctx);
      registerSendRoutes(server, ctx);
      registerSendToDeviceRoute(server, ctx);
      registerStateRoutes(server, ctx);
      registerRedactRoutes(server, ctx);
      registerTypingRoute(server, ctx);
      registerKeyRoutes(server, ctx);
      registerRoomKeyRoutes(server, ctx);
      registerCrossSigningRoutes(server, ctx);
      registerReceiptRoutes(server, ctx);
      registerDirectoryRoutes(server, ctx);
      registerPublicRoomRoutes(server, ctx);
      registerRoomSummaryRoutes(server, ctx);
      registerMutualRoomsRoute(server, ctx);
      registerSpaceHierarchyRoute(server, ctx);
      registerUpgradeRoomRoute(server, ctx);
      registerProfileRoutes(server, ctx);
      registerUserDirectoryRoute(server, ctx);
      registerAccountDataRoutes(server, ctx);
      registerTagRoutes(server, ctx);
      registerPushRuleRoutes(server, ctx);
      registerPusherRoutes(server, ctx);
      registerNotificationsRoute(server, ctx);
    },
  };
}
