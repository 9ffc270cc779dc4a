import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { superviseChildren } from "../src/supervisor";

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
});
