import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { componentLogger, createLogger } from "../src/logging";

function capture() {
  const out: string[] = [];
  const destination = new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) });
  return { out, destination };
}

describe("createLogger", () => {
  it("writes one JSON object a line with level names and the component", () => {
    const { out, destination } = capture();
    const root = createLogger({ level: "info", format: "json" }, { destination, base: { server_name: "hs1" } });
    componentLogger(root, "roomserver").info({ room_id: "!r:hs1" }, "persisted");
    root.debug("hidden below info");
    expect(out).toHaveLength(1);
    const line = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", component: "roomserver", room_id: "!r:hs1", msg: "persisted", server_name: "hs1" });
    expect(typeof line["time"]).toBe("string");
  });

  it("pretty format prints a readable line", () => {
    const { out, destination } = capture();
    const root = createLogger({ level: "debug", format: "pretty" }, { destination });
    root.child({ component: "syncapi" }).warn({ lag: 3 }, "behind");
    expect(out.join("")).toMatch(/^\S+ WARN  \[syncapi\] behind lag=3\n$/);
  });
});

describe("the stdout logger", () => {
  const run = (code: string) =>
    new Promise<{ lines: string[]; exit: number | null }>((resolve) => {
      const child = spawn(process.execPath, ["--conditions=@dendrite-ts/source", "--import", "tsx", "-e", code], {
        cwd: join(import.meta.dirname, ".."),
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        // A process that keeps running: done once its line arrived (the buffer was flushed on time).
        if (out.includes("still running")) child.kill();
      });
      child.once("exit", (exit) => resolve({ lines: out.trim().split("\n").filter(Boolean), exit }));
    });
  const imported = `import("./src/logging.ts").then(({ createLogger }) => {`;

  it("buffers lines but writes them out while the process runs, and at exit", async () => {
    const running = await run(`${imported} createLogger({}).info("still running"); setInterval(() => {}, 1000); })`);
    expect(running.lines.map((l) => JSON.parse(l).msg)).toEqual(["still running"]);
    const exiting = await run(`${imported} const l = createLogger({}); l.info("a"); l.info("b"); process.exit(3); })`);
    expect(exiting.exit).toBe(3);
    expect(exiting.lines.map((l) => JSON.parse(l).msg)).toEqual(["a", "b"]);
  }, 30_000);
});
