import { defineConfig } from "tsup";

// The app is one bundle with our packages inlined from their sources (the @dendrite-ts/source
// condition), so `npm start` needs no build of the libraries first: one esbuild pass, ~1 s.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node20",
  noExternal: [/^@dendrite-ts\//],
  // Everything else (npm packages, node builtins) is loaded from node_modules at run time.
  external: [/^(?!@dendrite-ts\/)[^./]/],
  esbuildOptions(options) {
    options.conditions = ["@dendrite-ts/source"];
  },
  banner: { js: "#!/usr/bin/env node" },
});
