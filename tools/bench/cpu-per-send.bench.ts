/**
 * CPU per message sent, by process: the server's own process(es), PostgreSQL's backends, NATS
 * and this load generator, while one user sends 2,000 messages across 100 rooms (16 at a time).
 * On a two-core machine the sum is what caps sends per second; this says who spends it.
 * Runs monolith+services and polylith (needs DENDRITE_TEST_POSTGRES_URL and _NATS_URL).
 * PostgreSQL backends that exit during the run are not counted (their CPU leaves /proc).
 */
import { readdirSync, readFileSync } from "node:fs";
import { testServices } from "@dendrite-ts/runtime/testing";
import { startHomeserver, type HomeserverMode } from "../src/harness/homeserver";
import { RawClient } from "../src/harness/raw-client";
import { processCpuSeconds } from "./process-tree";

const SENDS = process.env.BENCH_QUICK === "1" ? 500 : 2000;

/** CPU seconds of every process, by pid, with its argv. */
function cpuByPid(): Map<number, { argv: string[]; cpu: number }> {
  const out = new Map<number, { argv: string[]; cpu: number }>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      out.set(Number(d), { argv, cpu: processCpuSeconds(d) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function label(argv: string[], serverPid: number, pid: number): string | undefined {
  if (pid === process.pid) return "load generator";
  if (pid === serverPid) return argv.some((a) => a.includes("polylith")) ? "polylith supervisor + front proxy" : "monolith";
  if (argv[0]?.startsWith("postgres:")) return "PostgreSQL";
  if (argv.some((a) => a.includes("nats-server"))) return "NATS";
  const i = argv.findIndex((a) => a.includes("polylith/src/main.ts") || a.includes("polylith/dist/main.js"));
  if (i >= 0) return `polylith ${argv[i + 1]}`;
  return undefined;
}

async function measure(mode: HomeserverMode): Promise<Record<string, string>> {
  const hs = await startHomeserver(mode);
  try {
    const serverPid = hs.process.child.pid!;
    const alice = await RawClient.register(hs.baseUrl, "alice");
    const rooms: string[] = [];
    for (let i = 0; i < 100; i++) rooms.push(await alice.createRoom());
    const before = cpuByPid();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < SENDS) {
          const i = next++;
          await alice.send(rooms[i % rooms.length]!, `m ${i}`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const after = cpuByPid();
    const spent = new Map<string, number>();
    for (const [pid, a] of after) {
      const b = before.get(pid);
      const name = label(a.argv, serverPid, pid);
      if (!b || !name) continue;
      spent.set(name, (spent.get(name) ?? 0) + a.cpu - b.cpu);
    }
    const row: Record<string, string> = { "sends/s": (SENDS / seconds).toFixed(0) };
    let total = 0;
    for (const [name, cpu] of [...spent].sort((x, y) => y[1] - x[1])) {
      if (cpu <= 0) continue;
      total += cpu;
      row[name] = `${((cpu / SENDS) * 1e6).toFixed(0)} µs`;
    }
    row["total CPU per send"] = `${((total / SENDS) * 1e6).toFixed(0)} µs`;
    return row;
  } finally {
    await hs.stop();
  }
}

const services = testServices();
if (!services.postgresUrl || !services.natsUrl) {
  console.log("cpu-per-send: skipped (needs DENDRITE_TEST_POSTGRES_URL and DENDRITE_TEST_NATS_URL)");
} else {
  for (const mode of ["monolith+services", "polylith"] as const) {
    console.log(`\nCPU per message sent (${SENDS} messages across 100 rooms, 16 at a time): ${mode}`);
    console.table(await measure(mode));
  }
}
