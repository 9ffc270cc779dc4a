/**
 * Carries "these users have news" between syncapi processes on one database (several behind one
 * address, each consumer message handled by one of them; room order then needs the embedded log,
 * see the README's "Positions and tokens") with Postgres
 * LISTEN/NOTIFY. Each process wakes its own waiters at once and tells the others — either with
 * a NOTIFY of its own (`wake`), or inside the write's own statement (`notice`, then `wakeLocal`
 * once it committed), which costs no extra round trip and delivers at commit.
 */
import { listenReliably, type Database } from "@dendrite-ts/runtime";
import type { Notifier, Wake } from "./notifier";
import type { LiveEvent } from "./sync/live-answer";
import type { Notice } from "./storage";

const CHANNEL = "syncapi_wake";
/** NOTIFY payloads must stay under 8000 bytes; past that, wake everyone. */
const MAX_PAYLOAD = 7000;

export interface WakeBus {
  /** Wakes local waiters now and tells the other processes (a NOTIFY of its own). */
  wake(what: Wake): void;
  /** The NOTIFY telling the other processes, for a write to send in its own transaction; undefined when nobody is named. */
  notice(what: Wake): Notice | undefined;
  /** Wakes local waiters only (after a write whose transaction carried the notice); `live`: see Notifier.wake. */
  wakeLocal(what: Wake, live?: LiveEvent): void;
  close(): Promise<void>;
}

/**
 * The bus of a syncapi that is the only one on its database (the monolith): waiters are woken
 * in-process and no NOTIFY is sent — nobody would hear it but ourselves, and every message paid
 * for it (the notify queue at commit, a listening backend woken, a read here).
 */
export function createLocalWakeBus(notifier: Notifier): WakeBus {
  return {
    wake: (what) => notifier.wake(what),
    notice: () => undefined,
    wakeLocal: (what, live) => notifier.wake(what, live),
    close: async () => {},
  };
}

/**
 * `onRemote`: told of the users another process named (or "all") before their waiters wake, so
 * what this process holds of them in memory (their ignore lists) is dropped first.
 */
export async function createWakeBus(
  db: Pick<Database, "sql" | "url">,
  notifier: Notifier,
  onError: (err: unknown) => void,
  onRemote?: (users: readonly string[] | "all") => void,
): Promise<WakeBus> {
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const listening = await listenReliably(db.url, CHANNEL, (payload) => {
    try {
      const msg = JSON.parse(payload) as { origin: string; users: string[]; rooms: string[] } | { origin: string; all: true };
      if (msg.origin === origin) return;
      if ("all" in msg) {
        onRemote?.("all");
        notifier.wakeAll();
      } else {
        if (msg.users.length > 0) onRemote?.(msg.users);
        notifier.wake(msg);
      }
    } catch (err) {
      onError(err);
    }
  }, {
    // Whatever other processes wrote while we were deaf, we did not hear: as if they named everyone.
    onRelisten: () => {
      onRemote?.("all");
      notifier.wakeAll();
    },
    onError,
    applicationName: "dendrite-ts-syncapi-wakes",
  });
  const notice = (what: Wake): Notice | undefined => {
    const users = [...(what.users ?? [])];
    const rooms = [...(what.rooms ?? [])];
    if (users.length + rooms.length === 0) return undefined;
    let payload = JSON.stringify({ origin, users, rooms });
    if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ origin, all: true });
    return { channel: CHANNEL, payload };
  };
  return {
    wake(what) {
      const named = { users: [...(what.users ?? [])], rooms: [...(what.rooms ?? [])] };
      const n = notice(named);
      if (!n) return;
      notifier.wake(named);
      db.sql.notify(n.channel, n.payload).catch(onError);
    },
    notice,
    wakeLocal: (what, live) => notifier.wake(what, live),
    close: () => listening.close(),
  };
}
