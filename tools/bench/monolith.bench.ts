/**
 * The monolith as `npm start` runs it (the built apps/monolith/dist/main.js): time from launch
 * to serving on a fresh data directory and on an existing one, and the idle memory of the whole
 * process tree (embedded PostgreSQL included). Prints figures; asserts nothing.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, REPO_ROOT } from "../src/harness/spawn-server";
import { treeMemory } from "./process-tree";

const MAIN = join(REPO_ROOT, "apps/monolith/dist/main.js");
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);

async function startAndTime(dataDir: string, port: number) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, "--data-dir", dataDir, "--http-port", String(port)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/_matrix/client/versions`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`monolith exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { child, ms: performance.now() - t0 };
}

async function stop(child: ReturnType<typeof spawn>) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const dir = mkdtempSync(join(tmpdir(), "dendrite-bench-"));
chmodSync(dir, 0o755);
const dataDir = join(dir, "data");
try {
  const port = await freePort();
  const fresh = await startAndTime(dataDir, port);
  await stop(fresh.child);
  const again = await startAndTime(dataDir, port);
  // Idle: let start-up garbage settle, then sample a few times.
  await new Promise((r) => setTimeout(r, 5000));
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(treeMemory(again.child.pid!));
    await new Promise((r) => setTimeout(r, 500));
  }
  const last = samples[samples.length - 1]!;
  await stop(again.child);

  console.log("\nmonolith (embedded PostgreSQL + embedded log), built dist/main.js");
  console.log(`  launch → serving, fresh data dir (initdb included): ${fresh.ms.toFixed(0)} ms   (goal ≤ 5000 ms)`);
  console.log(`  launch → serving, existing data dir:                ${again.ms.toFixed(0)} ms`);
  console.log(`  idle memory, ${last.processes} processes: RSS sum ${mb(last.rss)}, PSS sum ${mb(last.pss)}   (goal ≤ 150 MB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
