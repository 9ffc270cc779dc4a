/**
 * The OutputNotificationData consumer: users' unread notification counts in a room from
 * userapi, stored at account-data positions. userapi's streamPos guards each user's row, so a
 * redelivered or older message changes nothing and wakes nobody; the users whose counts moved
 * are woken (their /sync shows the room with its new `unread_notifications`).
 */
import type { OutputNotificationData } from "@dendrite-ts/userapi";
import type { Wake } from "../notifier";
import type { SyncStore } from "../storage";
import type { WakeBus } from "../wake-bus";

export function createNotificationDataHandler(deps: {
  store: Pick<SyncStore, "unread">;
  wake(what: Wake): void;
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
}): (msg: OutputNotificationData) => Promise<void> {
  return async (msg) => {
    const all: Wake = { users: msg.counts.map((c) => c.userId) };
    const changed = await deps.store.unread.upsertUnreadCounts(msg.roomId, msg.counts, deps.bus?.notice(all));
    if (changed.length === 0) return;
    const what: Wake = { users: changed };
    if (deps.bus) deps.bus.wakeLocal(what);
    else deps.wake(what);
  };
}
