import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { READY_MESSAGE, superviseChildren } from "../src/supervisor";

const quiet = { info: () => {}, warn: () => {} };

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("superviseChildren", () => {
  it("restarts a child that crashes and stops all of them on stop()", async () => {
    const dir = mkdtempSync(join(tmpdir(), "supervisor-"));
    const script = join(dir, "child.mjs");
    // Each child appends its pid to a file, then waits; SIGTERM ends it cleanly.
    writeFileSync(
      script,
      `import { appendFileSync } from "node:fs";
       appendFileSync(${JSON.stringify(join(dir, "pids"))}, process.argv[2] + ":" + process.pid + "\\n");
       process.on("SIGTERM", () => process.exit(0));
       setInterval(() => {}, 1000);`,
    );
    const sup = superviseChildren(script, [{ name: "a", args: ["a"] }, { name: "b", args: ["b"] }], quiet);
    const starts = () => readFileSync(join(dir, "pids"), "utf8").trim().split("\n").filter(Boolean);
    await until(() => { try { return starts().length === 2; } catch { return false; } });

    const firstA = sup.pidOf("a");
    process.kill(firstA!, "SIGKILL");
    await until(() => starts().filter((l) => l.startsWith("a:")).length === 2);
    expect(sup.pidOf("a")).not.toBe(firstA);
    expect(starts().filter((l) => l.startsWith("b:"))).toHaveLength(1);

    const [pa, pb] = [sup.pidOf("a")!, sup.pidOf("b")!];
    await sup.stop();
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    expect(alive(pa)).toBe(false);
    expect(alive(pb)).toBe(false);
  });

  it("is ready once every child has said it is serving over its IPC channel, not before", async () => {
    const dir = mkdtempSync(join(tmpdir(), "supervisor-"));
    const script = join(dir, "child.mjs");
    // "slow" says it is serving only when a file appears; "fast" at once.
    writeFileSync(
      script,
      `import { existsSync } from "node:fs";
       process.on("SIGTERM", () => process.exit(0));
       const go = () => process.send(${JSON.stringify(READY_MESSAGE)});
       if (process.argv[2] === "fast") go();
       else { const t = setInterval(() => { if (existsSync(${JSON.stringify(join(dir, "go"))})) { clearInterval(t); go(); } }, 20); }
       setInterval(() => {}, 1000);`,
    );
    const sup = superviseChildren(script, [{ name: "fast", args: ["fast"] }, { name: "slow", args: ["slow"] }], quiet);
    let ready = false;
    void sup.ready.then(() => (ready = true));
    await until(() => sup.notReady().length === 1);
    expect(sup.notReady()).toEqual(["slow"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(ready).toBe(false);
    writeFileSync(join(dir, "go"), "");
    await until(() => ready);
    expect(sup.notReady()).toEqual([]);
    await sup.stop();
  });
});
