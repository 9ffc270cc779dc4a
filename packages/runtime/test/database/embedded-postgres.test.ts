import { spawn } from "node:child_process";
import { mkdtempSync, chmodSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/index.js";

const root = mkdtempSync(join(tmpdir(), "dendrite-embedded-"));
chmodSync(root, 0o755); // as root the server runs as `postgres`, which must reach the data dir
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("embedded PostgreSQL", () => {
  it("initialises on first use and comes back after its owner was killed with SIGKILL", async () => {
    const dataDir = join(root, "data");
    const child = spawn(process.execPath, ["--conditions=@dendrite-ts/source", "--import", "tsx", join(import.meta.dirname, "fixtures", "start-pg.ts")], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) resolve(out.trim());
      });
      child.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    // TCP on loopback, and the Unix socket in the data directory (a short path here).
    expect(url).toMatch(/^postgres:\/\/dendrite:.+@127\.0\.0\.1:\d+\/dendrite\?host=/);
    expect(new URL(url).searchParams.get("host")).toBe(dataDir);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL"); // the postgres child survives its owner, holding postmaster.pid
    await exited;
    const orphan = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    expect(orphan).toBeGreaterThan(0);

    const db = await openDatabase({ embedded: { dataDir } }, { max: 1 });
    try {
      const rows = await db.sql`SELECT v FROM survived`;
      expect(rows.map((r) => r.v)).toEqual(["before kill -9"]);
      // Connected over the socket (?host=): a Unix-socket session has no server address.
      const [where] = await db.sql`SELECT inet_server_addr() AS addr`;
      expect(where!.addr).toBeNull();
    } finally {
      await db.close();
    }
    expect(() => process.kill(orphan, 0)).toThrow(); // the orphan was shut down, not left behind
  }, 60_000);
});
