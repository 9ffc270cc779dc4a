#!/usr/bin/env node
// `npm test`: typechecks every project (vitest strips types without checking them), runs every
// project's vitest suite through Nx, then prints one closing line `N passed, N failed, N skipped`
// summed from each suite's JSON report, a failed typecheck counting as one failure (CI reads that line).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const projectDirs = ["packages", "apps", "tools"].flatMap((top) => {
  const dir = join(root, top);
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, "package.json"))) return [dir];
  return readdirSync(dir).map((name) => join(dir, name));
});
const reportOf = (dir) => join(dir, "test-results", "vitest.json");
for (const dir of projectDirs) rmSync(reportOf(dir), { force: true });

const nx = (target) =>
  spawnSync("npx", ["nx", "run-many", "-t", target, "--parallel=2", "--outputStyle=stream", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, NX_DAEMON: "false" },
  });
const typecheck = nx("typecheck");
const run = nx("test");

let passed = 0, failed = 0, skipped = 0, suitesFailedToRun = 0;
// Each failure again at the very end, where a log cut to its tail still shows it.
const failures = [];
const firstLines = (messages) =>
  (messages ?? []).join("\n").split("\n").filter((l) => !/node_modules|<anonymous>/.test(l)).slice(0, 12).join("\n    ");
for (const dir of projectDirs) {
  const file = reportOf(dir);
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  for (const f of r.testResults ?? []) {
    const failedTests = f.assertionResults.filter((a) => a.status === "failed");
    const file = f.name.slice(root.length);
    for (const a of failedTests) failures.push(`${file} > ${a.fullName}\n    ${firstLines(a.failureMessages)}`);
    // A file that failed without a failed test in it (an import error, a failing beforeAll whose
    // tests were skipped) counts as one failure.
    if (f.status === "failed" && failedTests.length === 0) {
      suitesFailedToRun++;
      failures.push(`${file} (did not run)\n    ${firstLines([f.message])}`);
    }
  }
}
failed += suitesFailedToRun;
if (typecheck.status !== 0) {
  failed++;
  failures.push("typecheck (nx run-many -t typecheck) failed: see its output above");
}
const exitCode = run.status === 0 && failed === 0 ? 0 : 1;
if (failures.length > 0) console.log(`\nFailed:\n${failures.map((f) => `- ${f}`).join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode);
