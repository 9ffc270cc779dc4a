/**
 * The keyserver process: end-to-end encryption keys over its contract; publishes device-list
 * changes from its outbox. Stateless apart from its tables, so several may run.
 */
import { createKeyserver, keyserverContract } from "@dendrite-ts/keyserver";
import { runContractProcess } from "./contract-process";
import type { ComponentEntry } from "./types";

export const keyserverEntry: ComponentEntry = {
  name: "keyserver",
  run: (ctx) =>
    runContractProcess("keyserver", keyserverContract, ctx, async (db, streams) => {
      const ks = await createKeyserver({ db, streams, serverName: ctx.config.global.server_name, logger: ctx.logger });
      return { impl: ks.api, close: () => ks.close() };
    }),
  publicRoutes: () => [],
};
