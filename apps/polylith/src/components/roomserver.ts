/** The roomserver process: the room DAGs and state, its contract on the internal listener. */
import { createRoomserver, roomserverContract } from "@dendrite-ts/roomserver";
import { loadConfiguredKeys } from "@dendrite-ts/serverkeyapi";
import { runContractProcess } from "./contract-process";
import type { ComponentEntry } from "./types";

export const roomserverEntry: ComponentEntry = {
  name: "roomserver",
  run: (ctx) =>
    runContractProcess("roomserver", roomserverContract, ctx, async (db, streams) => {
      const { global } = ctx.config;
      const { signingKey } = loadConfiguredKeys(global, ctx.baseDir);
      const rs = await createRoomserver({
        db,
        streams,
        serverName: global.server_name,
        signingKey,
        logger: ctx.logger,
        defaultRoomVersion: global.default_room_version,
        eventCacheEntries: ctx.config.roomserver.event_cache_entries,
      });
      return { impl: rs.api, close: () => rs.close() };
    }),
  publicRoutes: () => [],
};
