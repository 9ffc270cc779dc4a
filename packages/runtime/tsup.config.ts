import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.shared";

export default defineConfig(
  libraryBuild({
    entry: ["src/index.ts", "src/testing.ts"],
    external: ["vitest"], // only the testing entry uses it, from the test runner that loads it
  }),
);
