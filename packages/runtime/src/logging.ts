/**
 * Structured logging with pino. One root logger per process; each component logs through
 * `logger.child({ component })` so every line says where it came from. HTTP request lines carry
 * `req_id` (see http/server.ts), so one request's lines can be grepped together.
 */
import { pino, type Logger, type DestinationStream } from "pino";
import { Writable } from "node:stream";

export type { Logger } from "pino";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface LoggingOptions {
  level: LogLevel;
  /** `json`: one JSON object a line (for machines). `pretty`: one readable line (for people). */
  format: "json" | "pretty";
}

export interface CreateLoggerExtra {
  /** Where lines go; stdout by default. Tests pass a stream to capture them. */
  destination?: DestinationStream;
  /** Fields bound to every line (e.g. `{ server_name }`). */
  base?: Record<string, unknown>;
}

export function createLogger(
  options: Partial<LoggingOptions> = {},
  extra: CreateLoggerExtra = {},
): Logger {
  const level = options.level ?? "info";
  const json = extra.destination ?? bufferedStdout();
  // pino-pretty is not a dependency: a small formatter is enough for a person watching a terminal.
  const dest = options.format === "pretty" ? prettyStream(json) : json;
  return pino(
    {
      level,
      base: { pid: process.pid, ...extra.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}

/** How long a line may wait in the buffer. */
const FLUSH_EVERY_MS = 200;
let stdout: ReturnType<typeof pino.destination> | undefined;

/**
 * stdout, written in blocks of up to 4 KiB and at least every FLUSH_EVERY_MS, and at exit: a
 * line per request written on its own costs a write that wakes the reader (journald, a
 * terminal, a test harness) for every request — measurable in the send → /sync latency. A
 * kill -9 loses at most the last FLUSH_EVERY_MS of lines. One buffer per process.
 */
function bufferedStdout(): ReturnType<typeof pino.destination> {
  if (stdout) return stdout;
  const dest = pino.destination({ fd: 1, sync: false, minLength: 4096 });
  let unflushed = false;
  const write = dest.write.bind(dest);
  dest.write = (chunk: string) => {
    unflushed = true;
    return write(chunk);
  };
  setInterval(() => {
    if (!unflushed) return;
    unflushed = false;
    dest.flush();
  }, FLUSH_EVERY_MS).unref();
  process.once("exit", () => {
    try {
      dest.flushSync();
    } catch {
      // a write still in flight: it completes on its own
    }
  });
  stdout = dest;
  return dest;
}

/** The logger a component should use: every line tagged with its name. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}

const OMIT = new Set(["level", "time", "pid", "hostname", "msg", "component"]);

/** Turns pino's JSON lines into `time LEVEL [component] msg key=value…`. */
function prettyStream(out: DestinationStream): DestinationStream {
  let pending = "";
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        out.write(formatLine(line) + "\n");
      }
      cb();
    },
  });
  return w as unknown as DestinationStream;
}

function formatLine(line: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const rest = Object.entries(o)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const comp = o["component"] ? ` [${String(o["component"])}]` : "";
  const lvl = String(o["level"] ?? "").toUpperCase().padEnd(5);
  return `${String(o["time"] ?? "")} ${lvl}${comp} ${String(o["msg"] ?? "")}${rest ? " " + rest : ""}`;
}
