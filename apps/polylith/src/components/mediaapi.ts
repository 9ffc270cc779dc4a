/** The mediaapi process: the content repository (upload, download, config) on its public listener. */
import { createMediaapi } from "@dendrite-ts/mediaapi";
import { configPath } from "@dendrite-ts/runtime";
import { publicListen, urlOfListen } from "./addresses";
import { userapiClient } from "./clients";
import { runPublicProcess } from "./public-process";
import type { ComponentEntry } from "./types";

export const mediaapiEntry: ComponentEntry = {
  name: "mediaapi",
  run: (ctx) =>
    runPublicProcess("mediaapi", ctx, { streams: false }, async (db) => {
      const { config } = ctx;
      return createMediaapi({
        db,
        userapi: userapiClient(config),
        serverName: config.global.server_name,
        basePath: configPath(ctx.baseDir, config.mediaapi.base_path),
        maxFileSizeBytes: config.mediaapi.max_file_size_bytes,
        urlPreviews: {
          enabled: config.mediaapi.url_previews.enabled,
          denyNetworks: config.mediaapi.url_previews.deny_networks,
          allowNetworks: config.mediaapi.url_previews.allow_networks,
        },
      });
    }),
  // The authenticated media paths are under /_matrix/client/ (clientapi's prefix): the longer prefix wins.
  publicRoutes: (config) => [
    { prefix: "/_matrix/media/", target: urlOfListen(publicListen(config, "mediaapi")) },
    { prefix: "/_matrix/client/v1/media/", target: urlOfListen(publicListen(config, "mediaapi")) },
  ],
};
