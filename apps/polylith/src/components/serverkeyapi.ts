/**
 * The serverkeyapi process: its contract on the internal listener, and — until federationapi
 * exists to own them — the public /_matrix/key/* routes on the same listener.
 */
import { localClient } from "@dendrite-ts/runtime";
import { createServerKeyApi, loadConfiguredKeys, registerKeyRoutes, serverKeyContract } from "@dendrite-ts/serverkeyapi";
import { internalUrl } from "./addresses";
import { runContractProcess } from "./contract-process";
import type { ComponentEntry } from "./types";

export const serverkeyapiEntry: ComponentEntry = {
  name: "serverkeyapi",
  run: (ctx) =>
    runContractProcess("serverkeyapi", serverKeyContract, ctx, async (db) => {
      const { signingKey, oldKeys } = loadConfiguredKeys(ctx.config.global, ctx.baseDir);
      const impl = await createServerKeyApi({ db, config: ctx.config.global, signingKey, oldKeys, logger: ctx.logger });
      return { impl, extraRoutes: (server) => registerKeyRoutes(server, localClient(serverKeyContract, impl)) };
    }),
  publicRoutes: (config) => [{ prefix: "/_matrix/key/", target: internalUrl(config, "serverkeyapi") }],
};
