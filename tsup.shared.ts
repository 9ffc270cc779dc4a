import type { Options } from "tsup";

/** A publishable library: ESM + .d.ts, resolved against the other packages' built types. */
export function libraryBuild(extra: Partial<Options> = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: true,
    tsconfig: "tsconfig.build.json",
    sourcemap: true,
    clean: true,
    target: "node20",
    ...extra,
  };
}

/**
 * An app or CLI: one bundle with our packages inlined from their sources (the
 * @dendrite-ts/source condition), so it builds in about a second without building the libraries;
 * npm packages and node builtins stay external and load from node_modules.
 */
export function appBundle(entry: string[]): Options {
  return {
    entry,
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
  };
}
