import type { ViteUserConfig as UserConfig } from "vitest/config";

/** Test config shared by every package: workspace imports resolve to sources, results land in test-results/. */
export function workspaceTestConfig(extra: { testTimeout?: number } = {}): UserConfig {
  const conditions = ["@dendrite-ts/source", "import", "module", "node", "default"];
  return {
    resolve: { conditions },
    // Vitest hands ssr.resolve.conditions to Node as --conditions; "import" there makes require()
    // of dual packages (pg → pg-pool) load their ESM build and break. Node gets only ours.
    ssr: { resolve: { conditions: ["@dendrite-ts/source", "node"], externalConditions: ["@dendrite-ts/source"] } },
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      testTimeout: extra.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    },
  };
}
