/**
 * The eduserver's streams. OutputTypingEvent: applied to the typing lists held in memory; when
 * a room's list changed, its long-polls are woken (in this process only: the lists are this
 * process's). OutputReceiptEvent: stored at the next receipt position (a redelivery of the
 * receipt we hold changes nothing and wakes nobody), then the room is woken, in every syncapi
 * process (the table is shared). OutputPresenceEvent: applied to the presence held in memory;
 * when it changed, the user and the rooms they are joined to are woken (in this process only).
 */
import type { OutputPresenceEvent, OutputReceiptEvent, OutputTypingEvent } from "@dendrite-ts/eduserver";
import type { Wake } from "../notifier";
import type { SyncStore } from "../storage";
import type { TypingState } from "../sync/typing";
import type { PresenceState } from "../sync/presence";
import type { PresenceReporter } from "../sync/presence-reports";
import type { WakeBus } from "../wake-bus";

export function createTypingHandler(deps: { typing: Pick<TypingState, "apply">; wakeLocal(what: Wake): void }): (msg: OutputTypingEvent) => void {
  return (msg) => {
    if (deps.typing.apply(msg)) deps.wakeLocal({ rooms: [msg.roomId] });
  };
}

export function createReceiptHandler(deps: {
  store: Pick<SyncStore, "receipts">;
  wake(what: Wake): void;
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
}): (msg: OutputReceiptEvent) => Promise<void> {
  return async (msg) => {
    const what: Wake = { rooms: [msg.roomId] };
    const pos = await deps.store.receipts.upsertReceipt(msg, deps.bus?.notice(what));
    if (pos === undefined) return;
    if (deps.bus) deps.bus.wakeLocal(what);
    else deps.wake(what);
  };
}

export function createPresenceHandler(deps: {
  presence: Pick<PresenceState, "apply">;
  presenceReports?: Pick<PresenceReporter, "heard">;
  store: Pick<SyncStore, "memberships">;
  wakeLocal(what: Wake): void;
}): (msg: OutputPresenceEvent) => Promise<void> {
  return async (msg) => {
    if (!deps.presence.apply(msg)) return;
    deps.presenceReports?.heard(msg.userId, msg.presence);
    // Everyone who shares a room with them waits on one of these rooms.
    deps.wakeLocal({ users: [msg.userId], rooms: await deps.store.memberships.joinedRooms(msg.userId) });
  };
}
