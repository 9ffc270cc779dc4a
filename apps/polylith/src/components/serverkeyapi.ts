/**
 * The serverkeyapi process: its contract on the internal listener, and — until federationapi
 * exists to own them — the public /_matrix/key/* routes on the same listener.
 */
import {
  closeServer,
  createHttpServer,
  listen,
  localClient,
  mountContract,
  openConfiguredDatabase,
} from "@dendrite-ts/runtime";
import { createServerKeyApi, loadConfiguredKeys, registerKeyRoutes, serverKeyContract } from "@dendrite-ts/serverkeyapi";
import { internalListen, internalUrl } from "./addresses";
import type { ComponentEntry } from "./types";

export const serverkeyapiEntry: ComponentEntry = {
  name: "serverkeyapi",
  async run({ config, baseDir, logger, metrics }) {
    const { signingKey, oldKeys } = loadConfiguredKeys(config.global, baseDir);
    const db = await openConfiguredDatabase(config, baseDir, "serverkeyapi");
    try {
      const impl = await createServerKeyApi({ db, config: config.global, signingKey, oldKeys, logger });
      const server = createHttpServer({ logger, metrics });
      await mountContract(server, serverKeyContract, impl);
      registerKeyRoutes(server, localClient(serverKeyContract, impl));
      const address = await listen(server, internalListen(config, "serverkeyapi"));
      logger.info({ url: address.url }, "serverkeyapi listening");
      return {
        async close() {
          await closeServer(server);
          await db.close();
        },
      };
    } catch (e) {
      await db.close();
      throw e;
    }
  },
  publicRoutes: (config) => [{ prefix: "/_matrix/key/", target: internalUrl(config, "serverkeyapi") }],
};
