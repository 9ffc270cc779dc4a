// The kill -9 tests' side of a consuming child process: start one of the fixtures, read the
// lines it wrote, kill it hard.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Runs fixtures/<name> from source with `env` added to ours. */
export function startChild(fixture: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--conditions=@dendrite-ts/source", "--import", "tsx", join(import.meta.dirname, "fixtures", fixture)], {
    cwd: join(import.meta.dirname, "..", ".."),
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** The lines a child has written to `out` so far. */
export function lines(out: string): string[] {
  return existsSync(out) ? readFileSync(out, "utf8").split("\n").filter(Boolean) : [];
}

/** SIGKILL, and wait until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}
