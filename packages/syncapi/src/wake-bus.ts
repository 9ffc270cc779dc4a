/**
 * Carries "these users have news" between syncapi processes on one database (polylith: several
 * behind one address, each consumer message handled by one of them) with Postgres
 * LISTEN/NOTIFY. Each process wakes its own waiters at once and tells the others.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { Notifier } from "./notifier";

const CHANNEL = "syncapi_wake";
/** NOTIFY payloads must stay under 8000 bytes; past that, wake everyone. */
const MAX_PAYLOAD = 7000;
const EVERYONE = "*";

export interface WakeBus {
  wake(userIds: Iterable<string>): void;
  close(): Promise<void>;
}

export async function createWakeBus(sql: Sql, notifier: Notifier, onError: (err: unknown) => void): Promise<WakeBus> {
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const listening = await sql.listen(CHANNEL, (payload) => {
    try {
      const msg = JSON.parse(payload) as { origin: string; users: string[] | typeof EVERYONE };
      if (msg.origin === origin) return;
      if (msg.users === EVERYONE) notifier.wakeAll();
      else notifier.wake(msg.users);
    } catch (err) {
      onError(err);
    }
  });
  return {
    wake(userIds) {
      const users = [...userIds];
      if (users.length === 0) return;
      notifier.wake(users);
      let payload = JSON.stringify({ origin, users });
      if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ origin, users: EVERYONE });
      sql.notify(CHANNEL, payload).catch(onError);
    },
    close: () => listening.unlisten(),
  };
}
