/**
 * `polylith all`: starts every component as its own child process and keeps them running.
 * A child that exits unexpectedly is restarted with exponential backoff (reset once it has
 * stayed up for a while); SIGINT/SIGTERM are passed on to every child and we wait for them.
 * Each child tells us over its IPC channel when it is serving (READY_MESSAGE): `ready` resolves
 * once every one has — a probe of its port could be answered by someone else listening there.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface ChildSpec {
  /** Shown in logs, e.g. "serverkeyapi". */
  readonly name: string;
  /** Arguments after `node [execArgv] <script>`. */
  readonly args: readonly string[];
}

export interface SupervisorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Supervisor {
  /** Resolves once every child has said it is serving (each at least once). */
  readonly ready: Promise<void>;
  /** The children that have not said so yet. */
  notReady(): string[];
  /** Resolves when every child has exited after `stop()`. */
  readonly stopped: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Current pid of a child (changes on restart); for tests and status output. */
  pidOf(name: string): number | undefined;
}

/** Set in each child's environment to the supervisor's pid: the child exits when that is no longer its parent. */
export const SUPERVISED_ENV = "DENDRITE_POLYLITH_SUPERVISED";
/** What a child sends over its IPC channel once it is serving. */
export const READY_MESSAGE = "dendrite-ts:serving";

const STABLE_AFTER_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;
export const STOP_GRACE_MS = 10_000;

export function superviseChildren(script: string, children: readonly ChildSpec[], log: SupervisorLog): Supervisor {
  const running = new Map<string, ChildProcess>();
  let stopping = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const waitingFor = new Set(children.map((c) => c.name));
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  if (waitingFor.size === 0) resolveReady();

  const start = (spec: ChildSpec, failures: number): void => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...process.execArgv, script, ...spec.args], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, [SUPERVISED_ENV]: String(process.pid) },
    });
    running.set(spec.name, child);
    child.on("message", (m) => {
      if (m !== READY_MESSAGE || !waitingFor.delete(spec.name)) return;
      if (waitingFor.size === 0) resolveReady();
    });
    log.info({ component: spec.name, pid: child.pid }, "component started");
    child.on("exit", (code, signal) => {
      running.delete(spec.name);
      if (stopping) {
        if (running.size === 0) resolveStopped();
        return;
      }
      const upFor = Date.now() - startedAt;
      const nextFailures = upFor > STABLE_AFTER_MS ? 1 : failures + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (nextFailures - 1));
      log.warn({ component: spec.name, code, signal, restartInMs: delay }, "component exited; restarting");
      setTimeout(() => {
        if (!stopping) start(spec, nextFailures);
      }, delay).unref();
    });
  };

  for (const spec of children) start(spec, 0);

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    if (!stopping) {
      stopping = true;
      if (running.size === 0) resolveStopped();
      for (const child of running.values()) child.kill(signal);
      const force = setTimeout(() => {
        for (const child of running.values()) child.kill("SIGKILL");
      }, STOP_GRACE_MS);
      force.unref();
    }
    await stopped;
  };

  return { ready, notReady: () => [...waitingFor], stopped, stop, pidOf: (name) => running.get(name)?.pid };
}
