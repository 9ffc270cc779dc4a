/**
 * The OutputClientData consumer: account-data changes from userapi, stored at our own
 * account-data position. userapi's streamPos guards the upsert, so a redelivered or older
 * message changes nothing and wakes nobody. One statement: the writers' lock, the upsert, the
 * position and (with a bus) the NOTIFY for other processes. A new m.ignored_user_list also
 * replaces the list held in memory.
 */
import type { OutputClientData } from "@dendrite-ts/userapi";
import type { Wake } from "../notifier";
import type { SyncStore } from "../storage";
import { IGNORED_USER_LIST, type IgnoredUsers } from "../sync/ignored-users";
import type { WakeBus } from "../wake-bus";

export function createClientDataHandler(deps: {
  store: SyncStore;
  wake(what: Wake): void;
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
  ignored: Pick<IgnoredUsers, "set">;
}): (msg: OutputClientData) => Promise<void> {
  return async (msg) => {
    if (msg.kind !== "account_data") return;
    const what: Wake = { users: [msg.userId] };
    const pos = await deps.store.hot.upsertAccountDataLive(
      { userId: msg.userId, roomId: msg.roomId ?? "", type: msg.type, content: msg.content, sourcePos: msg.streamPos },
      deps.bus?.notice(what),
    );
    if (pos === undefined) return;
    // Held before the wake, so the /syncs it wakes already leave the newly ignored out.
    if (msg.type === IGNORED_USER_LIST && !msg.roomId) deps.ignored.set(msg.userId, msg.content);
    if (deps.bus) deps.bus.wakeLocal(what);
    else deps.wake(what);
  };
}
