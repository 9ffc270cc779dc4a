import { describe } from "vitest";
import { createEmbeddedStreams, type Database } from "../../src/index.js";
import { openTestDatabase } from "../../src/testing.js";
import { defineStreamsSuite } from "./suite.js";

describe("embedded log (PostgreSQL)", () => {
  let db: Database | undefined;
  defineStreamsSuite({
    open: async () => createEmbeddedStreams((db ??= await openTestDatabase()), { pollMs: 200 }),
    cleanup: async () => db?.close(),
  });
});
