/** A process tree's memory and CPU time, from /proc (Linux). */
import { readFileSync, readdirSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100;

/** /proc/<pid>/stat: the command name, and the fields after it (state first, then ppid, …). */
function readStat(pid: number | string): { comm: string; fields: string[] } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const end = stat.lastIndexOf(")");
  return { comm: stat.slice(stat.indexOf("(") + 1, end), fields: stat.slice(end + 2).split(" ") };
}

/** utime + stime (fields 14 and 15 of the whole line) in seconds. */
const cpuSeconds = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;

/** CPU seconds (user + system, every thread) a process has used; throws when it is gone. */
export function processCpuSeconds(pid: number | string): number {
  return cpuSeconds(readStat(pid).fields);
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readStat(entry).fields[1]);
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

/**
 * CPU seconds (user + system, every thread) of the node processes among `pid` and its
 * descendants — the server itself, not an embedded PostgreSQL it started.
 */
export function treeNodeCpuSeconds(pid: number): number {
  let seconds = 0;
  for (const p of processTree(pid)) {
    try {
      const { comm, fields } = readStat(p);
      if (comm === "node") seconds += cpuSeconds(fields);
    } catch {
      // gone
    }
  }
  return seconds;
}
