/**
 * `polylith all` leaves nothing behind: SIGTERM stops every component even while clients hold
 * keep-alive connections to the front proxy, and a supervisor killed with -9 takes its
 * components down with it (they notice they were re-parented).
 */
import { afterEach, expect, it } from "vitest";
import { describeWithNats, describeWithPostgres } from "@dendrite-ts/runtime/testing";
import { startHomeserver, type Homeserver } from "../src/harness/homeserver";
import { findChildProcess } from "../src/harness/spawn-server";

const COMPONENTS = ["serverkeyapi", "roomserver", "userapi", "clientapi", "syncapi"];
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function allGone(pids: number[], timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describeWithPostgres("polylith process lifecycle", () => {
  describeWithNats("(on PostgreSQL + NATS)", () => {
    let hs: Homeserver | undefined;
    afterEach(async () => {
      await hs?.stop().catch(() => undefined);
      hs = undefined;
    });

    const componentPids = (h: Homeserver) =>
      COMPONENTS.map((c) => findChildProcess(h.process.child.pid!, (cmd) => cmd.includes(` ${c} --config`)));

    it("SIGTERM stops every component although a client keeps a connection open", async () => {
      hs = await startHomeserver("polylith");
      const pids = componentPids(hs);
      expect(pids.every((p) => p !== undefined)).toBe(true);
      // A long-poll through the proxy on a keep-alive connection, still open when we stop.
      const pending = fetch(`${hs.baseUrl}/_matrix/client/v3/sync?timeout=30000`, { headers: { authorization: "Bearer x" } }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      expect(await hs.process.stop("SIGTERM")).toBe(0); // 0, not the harness's SIGKILL fallback (null)
      expect(await allGone(pids as number[])).toBe(true);
      await pending;
    }, 120_000);

    it("components stop when the supervisor is killed with -9", async () => {
      hs = await startHomeserver("polylith");
      const pids = componentPids(hs);
      expect(pids.every((p) => p !== undefined)).toBe(true);
      await hs.process.stop("SIGKILL");
      expect(await allGone(pids as number[])).toBe(true);
    }, 120_000);
  });
});
