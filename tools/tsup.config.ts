import { defineConfig } from "tsup";

// Like the apps: our packages inlined from their sources, so the CLIs build in about a second.
export default defineConfig({
  entry: ["src/generate-config.ts", "src/generate-keys.ts", "src/create-account.ts"],
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node20",
  noExternal: [/^@dendrite-ts\//],
  external: [/^(?!@dendrite-ts\/)[^./]/],
  esbuildOptions(options) {
    options.conditions = ["@dendrite-ts/source"];
  },
  banner: { js: "#!/usr/bin/env node" },
});
