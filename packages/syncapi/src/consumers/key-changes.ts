/**
 * keyserver's OutputKeyChangeEvent: the user's device-list position moves on (a redelivery
 * moves it again: clients then fetch keys they already hold, never miss a change), and the
 * long-polls of everyone sharing a room with them wake — in every syncapi process, as the
 * table is shared.
 */
import type { OutputKeyChangeEvent } from "@dendrite-ts/keyserver";
import type { Wake } from "../notifier";
import type { SyncStore } from "../storage";
import type { WakeBus } from "../wake-bus";

export function createKeyChangeHandler(deps: {
  store: Pick<SyncStore, "deviceLists" | "memberships">;
  wake(what: Wake): void;
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
}): (msg: OutputKeyChangeEvent) => Promise<void> {
  return async (msg) => {
    // A device that never had keys changed nobody's device list.
    if (msg.deleted && msg.hadNoKeys) return;
    const what: Wake = { users: [msg.userId], rooms: await deps.store.memberships.joinedRooms(msg.userId) };
    await deps.store.deviceLists.recordKeyChange(msg.userId, deps.bus?.notice(what));
    if (deps.bus) deps.bus.wakeLocal(what);
    else deps.wake(what);
  };
}
