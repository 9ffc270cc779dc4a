/** The syncapi process: /sync and the history endpoints, fed by the roomserver's output stream. */
import { createSyncapi } from "@dendrite-ts/syncapi";
import { publicListen, urlOfListen } from "./addresses";
import { eduserverClient, keyserverClient, roomserverClient, userapiClient } from "./clients";
import { runPublicProcess } from "./public-process";
import type { ComponentEntry } from "./types";

/** The client-server paths syncapi answers (the rest of /_matrix/client is clientapi's). */
export const SYNCAPI_PATHS = new RegExp(
  [
    String.raw`^/_matrix/client/(?:v3|r0)/(?:sync|search|keys/changes|user/[^/]+/filter(?:/[^/]+)?|rooms/[^/]+/(?:messages|members)|rooms/[^/]+/(?:event|context)/[^/]+)$`,
    String.raw`^/_matrix/client/v1/rooms/[^/]+/(?:threads|timestamp_to_event|relations/[^/]+(?:/[^/]+(?:/[^/]+)?)?)$`,
  ].join("|"),
);

export const syncapiEntry: ComponentEntry = {
  name: "syncapi",
  run: (ctx) =>
    runPublicProcess("syncapi", ctx, { streams: true }, async (db, streams) => {
      const syncapi = await createSyncapi({
        db,
        streams: streams!,
        roomserver: roomserverClient(ctx.config),
        userapi: userapiClient(ctx.config),
        keyserver: keyserverClient(ctx.config),
        eduserver: eduserverClient(ctx.config),
        serverName: ctx.config.global.server_name,
        logger: ctx.logger,
      });
      return { register: (server) => syncapi.register(server), close: () => syncapi.close() };
    }),
  publicRoutes: (config) => [{ pattern: SYNCAPI_PATHS, target: urlOfListen(publicListen(config, "syncapi")) }],
};
