import type { ViteUserConfig as UserConfig } from "vitest/config";

/** Test config shared by every package: workspace imports resolve to sources, results land in test-results/. */
export function workspaceTestConfig(extra: { testTimeout?: number } = {}): UserConfig {
  const conditions = ["@dendrite-ts/source", "import", "module", "node", "default"];
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@dendrite-ts/source"] } },
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      testTimeout: extra.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    },
  };
}
