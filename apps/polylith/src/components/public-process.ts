/** A public-facing component process: its routes served on `<name>.listen.public`. */
import type { ComponentName, Database, HttpServer, Streams } from "@dendrite-ts/runtime";
import { publicListen } from "./addresses";
import { runProcess } from "./run-process";
import type { ComponentContext, RunningComponent } from "./types";

export interface BuiltPublic {
  register(server: HttpServer): void;
  close?: () => Promise<void>;
}

export function runPublicProcess(
  name: ComponentName,
  ctx: ComponentContext,
  needs: { streams: boolean },
  build: (db: Database, streams: Streams | undefined) => Promise<BuiltPublic>,
): Promise<RunningComponent> {
  return runProcess(name, ctx, { streams: needs.streams, listen: publicListen(ctx.config, name) }, async (db, streams) => {
    const built = await build(db, streams);
    return { serve: (server) => built.register(server), ...(built.close ? { close: built.close } : {}) };
  });
}
