/**
 * The userapi process: accounts, devices, tokens, profiles, account data over its contract;
 * notifications from the room and receipt streams (asking the roomserver for room state).
 */
import { localClient } from "@dendrite-ts/runtime";
import { createUserapi, ensureConfiguredTokens, registrationFromConfig, userapiContract } from "@dendrite-ts/userapi";
import { roomserverClient } from "./clients";
import { runContractProcess } from "./contract-process";
import type { ComponentEntry } from "./types";

export const userapiEntry: ComponentEntry = {
  name: "userapi",
  run: (ctx) =>
    runContractProcess("userapi", userapiContract, ctx, async (db, streams) => {
      const { global } = ctx.config;
      const ua = await createUserapi({
        db,
        streams,
        serverName: global.server_name,
        registration: registrationFromConfig(global.registration),
        logger: ctx.logger,
        ...(ctx.config.userapi.notifications.enabled ? { notifications: { streams, roomserver: roomserverClient(ctx.config) } } : {}),
      });
      await ensureConfiguredTokens(localClient(userapiContract, ua.api), global.registration.tokens);
      return { impl: ua.api, close: () => ua.close() };
    }),
  publicRoutes: () => [],
};
