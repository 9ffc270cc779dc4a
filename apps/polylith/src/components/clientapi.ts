/** The clientapi process: the public client-server routes on its public listener. */
import { registerVersionsRoute } from "@dendrite-ts/clientapi";
import { closeServer, createHttpServer, listen } from "@dendrite-ts/runtime";
import { publicListen, urlOfListen } from "./addresses";
import type { ComponentEntry } from "./types";

export const clientapiEntry: ComponentEntry = {
  name: "clientapi",
  async run({ config, logger, metrics }) {
    const server = createHttpServer({ logger, metrics });
    registerVersionsRoute(server);
    const address = await listen(server, publicListen(config, "clientapi"));
    logger.info({ url: address.url }, "clientapi listening");
    return { close: () => closeServer(server) };
  },
  publicRoutes: (config) => [{ prefix: "/_matrix/client/", target: urlOfListen(publicListen(config, "clientapi")) }],
};
