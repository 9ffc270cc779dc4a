/** The clientapi process: the client-server routes on its public listener. */
import { clientapiConfigFrom, createClientapi } from "@dendrite-ts/clientapi";
import { publicListen, urlOfListen } from "./addresses";
import { eduserverClient, keyserverClient, roomserverClient, userapiClient } from "./clients";
import { runPublicProcess } from "./public-process";
import type { ComponentEntry } from "./types";

export const clientapiEntry: ComponentEntry = {
  name: "clientapi",
  run: (ctx) =>
    runPublicProcess("clientapi", ctx, { streams: false }, async (db) => {
      const { global } = ctx.config;
      return createClientapi({
        userapi: userapiClient(ctx.config),
        roomserver: roomserverClient(ctx.config),
        eduserver: eduserverClient(ctx.config),
        keyserver: keyserverClient(ctx.config),
        db,
        serverName: global.server_name,
        config: clientapiConfigFrom(ctx.config),
        logger: ctx.logger,
      });
    }),
  publicRoutes: (config) => [
    { prefix: "/_matrix/client/", target: urlOfListen(publicListen(config, "clientapi")) },
    // The parts of Synapse's admin API we serve (shared-secret registration, reports) are clientapi's.
    { prefix: "/_synapse/admin/", target: urlOfListen(publicListen(config, "clientapi")) },
    // Client discovery and contacts.
    { prefix: "/.well-known/matrix/client", target: urlOfListen(publicListen(config, "clientapi")) },
    { prefix: "/.well-known/matrix/support", target: urlOfListen(publicListen(config, "clientapi")) },
  ],
};
