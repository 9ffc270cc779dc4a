/** An internal component process: its contract served on `<name>.listen.internal`. */
import type { AppRouter } from "@ts-rest/core";
import { mountContract, type ComponentName, type ContractImpl, type Database, type HttpServer, type Streams } from "@dendrite-ts/runtime";
import { internalListen } from "./addresses";
import { runProcess } from "./run-process";
import type { ComponentContext, RunningComponent } from "./types";

export interface Built<C extends AppRouter> {
  impl: ContractImpl<C>;
  close?: () => Promise<void>;
  /** Extra routes on the same listener (e.g. public key routes until federationapi owns them). */
  extraRoutes?: (server: HttpServer) => void;
}

export function runContractProcess<C extends AppRouter>(
  name: ComponentName,
  contract: C,
  ctx: ComponentContext,
  build: (db: Database, streams: Streams) => Promise<Built<C>>,
): Promise<RunningComponent> {
  return runProcess(name, ctx, { streams: true, listen: internalListen(ctx.config, name) }, async (db, streams) => {
    const built = await build(db, streams!);
    return {
      ...(built.close ? { close: built.close } : {}),
      async serve(server) {
        await mountContract(server, contract, built.impl);
        built.extraRoutes?.(server);
      },
    };
  });
}
