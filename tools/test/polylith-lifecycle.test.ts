/**
 * `polylith all` leaves nothing behind: SIGTERM stops every component even while clients hold
 * keep-alive connections to the front proxy, and a supervisor killed with -9 takes its
 * components down with it, even while they start (they know its pid), and the front door opens
 * only once every component listens.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { describeWithNats, describeWithPostgres } from "@dendrite-ts/runtime/testing";
import { startHomeserver, type Homeserver } from "../src/harness/homeserver";
import { findChildProcess } from "../src/harness/spawn-server";

const COMPONENTS = ["serverkeyapi", "roomserver", "userapi", "eduserver", "keyserver", "clientapi", "syncapi", "mediaapi"];
/** Running: signalable and not a zombie (an exited child the init process has not reaped yet still answers kill 0). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false; // gone between the two looks
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
      // Each notices within a second, then has the supervised stop's grace (10 s) to close: on a
      // loaded machine that can take longer than the 15 s a SIGTERM'd stop gets here.
      expect(await allGone(pids as number[], 30_000)).toBe(true);
    }, 120_000);

    it("components stop when the supervisor is killed with -9 while they are still starting", async () => {
      // They learn who their supervisor is from the environment, not by looking at their
      // parent once they are up: by then the parent may already be init.
      hs = await startHomeserver("polylith", { awaitReady: false });
      let pids = componentPids(hs);
      for (const deadline = Date.now() + 30_000; pids.some((p) => p === undefined) && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 20));
        pids = componentPids(hs);
      }
      expect(pids.every((p) => p !== undefined)).toBe(true);
      await hs.process.stop("SIGKILL");
      expect(await allGone(pids as number[], 30_000)).toBe(true);
    }, 120_000);

    it("answers only once every component listens: the first /sync through the front door reaches syncapi", async () => {
      hs = await startHomeserver("polylith", { awaitReady: false });
      let res: Response | undefined;
      for (const deadline = Date.now() + 90_000; !res && Date.now() < deadline; ) {
        res = await fetch(`${hs.baseUrl}/_matrix/client/v3/sync`, { headers: { authorization: "Bearer nobody" } }).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 20));
      }
      expect(res?.status).toBe(401);
      expect(((await res!.json()) as { errcode: string }).errcode).toBe("M_UNKNOWN_TOKEN");
    }, 120_000);
  });
});
