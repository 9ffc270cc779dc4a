/**
 * LISTEN on a channel, kept through PostgreSQL going away. postgres.js's own `sql.listen`
 * re-listens once when its connection closes; if the server is still down then, the channel is
 * dropped silently and never heard again (a restarted PostgreSQL left every waiter deaf). This
 * listener owns one connection and, after any loss, re-listens with backoff (100 ms doubling to
 * 5 s) until it succeeds. Whatever was notified while it was deaf is lost, so it then calls
 * `onRelisten`: the caller catches up (wakes everyone, re-reads what it caches).
 */
import postgres from "postgres";
import { quoteIdent, unixSocketOf, type Sql } from "./database.js";

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

export interface ListenerOptions {
  /** Called after each re-listen that followed a loss (not after the first LISTEN). */
  onRelisten?: () => void;
  /** Told of each failed re-listen (the server still down), for logs. */
  onError?: (err: unknown) => void;
  applicationName?: string;
}

export interface Listener {
  close(): Promise<void>;
}

/** Listens on `channel` at `url`; fails if the first LISTEN fails (the server is down at start). */
export async function listenReliably(url: string, channel: string, onNotify: (payload: string) => void, opts: ListenerOptions = {}): Promise<Listener> {
  const { url: target, socketPath } = unixSocketOf(url);
  const listen = `LISTEN ${quoteIdent(channel)}`;
  let closed = false;
  let retrying = false;
  let delay = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;

  const sql: Sql = postgres(target, {
    ...(socketPath ? { path: socketPath } : {}),
    max: 1,
    // The connection is the subscription: never closed for idleness or age.
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? "dendrite-ts-listener" },
    onclose: () => lost(),
    // Not in postgres.js's option types, but how its own listen hears notifications.
    ...({ onnotify: (c: string, payload: string) => c === channel && onNotify(payload) } as object),
  });

  function lost(): void {
    if (closed || retrying) return;
    retrying = true;
    timer = setTimeout(() => void relisten(), delay);
  }

  async function relisten(): Promise<void> {
    timer = undefined;
    if (closed) return;
    try {
      await sql.unsafe(listen);
    } catch (err) {
      if (closed) return;
      opts.onError?.(err);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
      timer = setTimeout(() => void relisten(), delay);
      return;
    }
    retrying = false;
    delay = FIRST_RETRY_MS;
    opts.onRelisten?.();
  }

  try {
    await sql.unsafe(listen);
  } catch (err) {
    closed = true;
    clearTimeout(timer);
    await sql.end({ timeout: 1 });
    throw err;
  }
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await sql.end({ timeout: 5 });
    },
  };
}
