/**
 * Test harness: starts our apps as real child processes (from source, through tsx), the way a
 * user or another tool would, and waits until they answer HTTP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface SpawnedServer {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * `n` ports nobody listens on right now, all different: held open together until all are known
 * (one at a time, the system may hand out a port just released again — two polylith components
 * on one port, the front door then sending /sync to the wrong one).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => resolve(srv));
      }),
    ),
  );
  const ports = servers.map((srv) => {
    const a = srv.address();
    return typeof a === "object" && a ? a.port : 0;
  });
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

/**
 * Runs a TypeScript entry point of the repo (e.g. "apps/monolith/src/main.ts") with args; `root`
 * names another checkout to run it from (bench/compare-latency.ts).
 * DENDRITE_SERVER_NODE_ARGS adds node flags to the child (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
 * to profile a server under a bench; node refuses --cpu-prof in NODE_OPTIONS).
 */
export function spawnEntry(entry: string, args: string[], env: Record<string, string> = {}, root = REPO_ROOT): SpawnedServer {
  let out = "";
  const child = spawn(
    process.execPath,
    [
      ...(process.env.DENDRITE_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "--conditions=@dendrite-ts/source", "--import", "tsx", join(root, entry), ...args,
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Polls `url` until it answers 2xx (a front proxy answers 502 while its component starts), the
 * process exits, or the time runs out.
 */
export async function waitForHttp(
  url: string,
  server: SpawnedServer,
  timeoutMs = 60_000,
  ready: (status: number) => boolean = (status) => status >= 200 && status < 300,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) {
      throw new Error(`server exited with ${server.child.exitCode} before answering ${url}:\n${server.output()}`);
    }
    try {
      if (ready((await fetch(url)).status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no 2xx answer from ${url} after ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A descendant of `rootPid` whose command line matches (e.g. one polylith component). */
export function findChildProcess(rootPid: number, match: (cmdline: string) => boolean): number | undefined {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === rootPid) return true;
    return false;
  };
  for (const pid of parentOf.keys()) {
    if (!descends(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (match(cmd)) return pid;
    } catch {
      // gone
    }
  }
  return undefined;
}
