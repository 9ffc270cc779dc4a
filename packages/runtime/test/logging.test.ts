import { describe, expect, it } from "vitest";
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
