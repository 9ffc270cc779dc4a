/** Memory of a process and all its descendants, from /proc (Linux): RSS and PSS sums in bytes. */
import { readFileSync, readdirSync } from "node:fs";

function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the ")" that ends the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  return all;
}

function kb(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** RSS counts shared pages once per process (PostgreSQL's shared buffers many times); PSS splits them. */
export function treeMemory(pid: number): { processes: number; rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      rss += kb(readFileSync(`/proc/${p}/status`, "utf8"), "VmRSS");
      pss += kb(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"), "Pss");
    } catch {
      // gone
    }
  }
  return { processes: pids.length, rss, pss };
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, every thread) of the node processes among `pid` and its
 * descendants — the server itself, not an embedded PostgreSQL it started.
 */
export function treeNodeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== "node") continue;
      // Fields 14 and 15 (utime, stime) counted after the ")" that ends the command name.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
