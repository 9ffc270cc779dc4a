/**
 * The serverkeyapi process: its contract on the internal listener, and — until federationapi
 * exists to own them — the public /_matrix/key/* routes and /.well-known/matrix/server on the
 * same listener.
 */
import { localClient } from "@dendrite-ts/runtime";
import { createServerKeyApi, loadConfiguredKeys, registerKeyRoutes, registerServerDiscoveryRoute, serverKeyContract } from "@dendrite-ts/serverkeyapi";
import { internalUrl } from "./addresses";
import { runContractProcess } from "./contract-process";
import type { ComponentEntry } from "./types";

export const serverkeyapiEntry: ComponentEntry = {
  name: "serverkeyapi",
  run: (ctx) =>
    runContractProcess("serverkeyapi", serverKeyContract, ctx, async (db) => {
      const { signingKey, oldKeys } = loadConfiguredKeys(ctx.config.global, ctx.baseDir);
      const impl = await createServerKeyApi({ db, config: ctx.config.global, signingKey, oldKeys, logger: ctx.logger });
      const extraRoutes = (server: Parameters<typeof registerKeyRoutes>[0]) => {
        registerKeyRoutes(server, localClient(serverKeyContract, impl));
        registerServerDiscoveryRoute(server, ctx.config.global.well_known.server_name);
      };
      return { impl, extraRoutes };
    }),
  publicRoutes: (config) => [
    { prefix: "/_matrix/key/", target: internalUrl(config, "serverkeyapi") },
    { prefix: "/.well-known/matrix/server", target: internalUrl(config, "serverkeyapi") },
  ],
};
