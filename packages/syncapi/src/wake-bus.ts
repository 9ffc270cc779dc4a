/**
 * Carries "these users have news" between syncapi processes on one database (polylith: several
 * behind one address, each consumer message handled by one of them) with Postgres
 * LISTEN/NOTIFY. Each process wakes its own waiters at once and tells the others.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { Notifier, Wake } from "./notifier";

const CHANNEL = "syncapi_wake";
/** NOTIFY payloads must stay under 8000 bytes; past that, wake everyone. */
const MAX_PAYLOAD = 7000;

export interface WakeBus {
  wake(what: Wake): void;
  close(): Promise<void>;
}

export async function createWakeBus(sql: Sql, notifier: Notifier, onError: (err: unknown) => void): Promise<WakeBus> {
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const listening = await sql.listen(CHANNEL, (payload) => {
    try {
      const msg = JSON.parse(payload) as { origin: string; users: string[]; rooms: string[] } | { origin: string; all: true };
      if (msg.origin === origin) return;
      if ("all" in msg) notifier.wakeAll();
      else notifier.wake(msg);
    } catch (err) {
      onError(err);
    }
  });
  return {
    wake(what) {
      const users = [...(what.users ?? [])];
      const rooms = [...(what.rooms ?? [])];
      if (users.length + rooms.length === 0) return;
      notifier.wake({ users, rooms });
      let payload = JSON.stringify({ origin, users, rooms });
      if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ origin, all: true });
      sql.notify(CHANNEL, payload).catch(onError);
    },
    close: () => listening.unlisten(),
  };
}
