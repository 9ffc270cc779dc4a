/**
 * The eduserver process: typing and receipts over its contract. Typing lives in its memory, so
 * run one.
 */
import { createEduserver, eduserverContract } from "@dendrite-ts/eduserver";
import { runContractProcess } from "./contract-process";
import type { ComponentEntry } from "./types";

export const eduserverEntry: ComponentEntry = {
  name: "eduserver",
  run: (ctx) =>
    runContractProcess("eduserver", eduserverContract, ctx, async (_db, streams) => {
      const edu = await createEduserver({ streams, logger: ctx.logger });
      return { impl: edu.api, close: () => edu.close() };
    }),
  publicRoutes: () => [],
};
