/**
 * Notifications from the room and receipt streams (client-server "Push Notifications" →
 * "Server behaviour", "Marking notifications as read"). For each new timeline event, the push
 * rules of every local member joined before it (but the sender) decide whether it notifies and
 * highlights; what does is stored and counted. A user's receipt (m.read or m.read.private,
 * whichever is further) or their own event marks everything up to it read. Every change of a
 * user's counts in a room goes out as OutputNotificationData through the outbox, in the same
 * transaction as the change.
 *
 * Idempotent: an event is placed once (its row in push_events), a read position only moves
 * forward. Notification writes of one room run one at a time (a lock held to commit), so
 * positions, counts and receipts are decided in the room's order.
 */
import { evaluatePushRules, getRoomVersion, userPowerLevel, type PushOutcome } from "@dendrite-ts/protocol";
import type { NewRoomEventOutput, PduJson } from "@dendrite-ts/roomserver";
import type { OutputReceiptEvent } from "@dendrite-ts/eduserver";
import type { NotificationInsert, UnreadCountsRow, UserapiStore, UserapiTables } from "../../storage";
import { notificationDataMsgId, notificationDataSubject, type OutputNotificationData } from "../../output";
import type { OutboxPublisher } from "@dendrite-ts/runtime";
import { userIdOf } from "../user-ids";
import type { RoomStateCache } from "./room-state";
import type { PushRulesCache } from "./rules-cache";

export interface NotificationDeps {
  store: UserapiStore;
  serverName: string;
  outbox: OutboxPublisher;
  roomState: RoomStateCache;
  rules: PushRulesCache;
}

/** The thread an event belongs to: the root of its m.thread relation, else the main timeline. */
export function threadOf(ev: PduJson): string {
  const rel = (ev.content as { "m.relates_to"?: { rel_type?: unknown; event_id?: unknown } } | undefined)?.["m.relates_to"];
  return rel?.rel_type === "m.thread" && typeof rel.event_id === "string" ? rel.event_id : "main";
}

function localpartIn(userId: string, serverName: string): string | undefined {
  const suffix = `:${serverName}`;
  return userId.startsWith("@") && userId.endsWith(suffix) && userId.length > suffix.length + 1 ? userId.slice(1, -suffix.length) : undefined;
}

/** Queues one message with the counts that changed (the last row per user wins); true when any did. */
async function publishCounts(deps: NotificationDeps, tx: UserapiTables, roomId: string, rows: readonly UnreadCountsRow[]): Promise<boolean> {
  const last = new Map<string, UnreadCountsRow>();
  for (const r of rows) {
    const prev = last.get(r.localpart);
    if (!prev || prev.streamPos < r.streamPos) last.set(r.localpart, r);
  }
  if (last.size === 0) return false;
  const msg: OutputNotificationData = {
    roomId,
    counts: [...last.values()].map((r) => ({
      userId: userIdOf(r.localpart, deps.serverName),
      notificationCount: r.notificationCount,
      highlightCount: r.highlightCount,
      streamPos: r.streamPos,
    })),
  };
  await tx.outbox.insert(notificationDataSubject(roomId), notificationDataMsgId(msg), msg);
  return true;
}

/** Evaluates the rules of every local recipient of the event; only those it notifies are returned. */
async function outcomes(deps: NotificationDeps, msg: NewRoomEventOutput): Promise<NotificationInsert[]> {
  const ev = msg.event;
  const before = await deps.roomState.before(msg.roomId, ev);
  if (!before) return [];
  deps.roomState.remember(msg.roomId, msg.eventId, ev, before);
  const sender = String(ev.sender);
  const recipients = new Map<string, string>(); // localpart → user ID
  for (const userId of before.joined.keys()) {
    const lp = userId === sender ? undefined : localpartIn(userId, deps.serverName);
    if (lp !== undefined) recipients.set(lp, userId);
  }
  // The invitee is not joined yet, but their rules decide about their own invite.
  if (ev.type === "m.room.member" && typeof ev.state_key === "string" && (ev.content as { membership?: unknown }).membership === "invite") {
    const lp = ev.state_key === sender ? undefined : localpartIn(ev.state_key, deps.serverName);
    if (lp !== undefined) recipients.set(lp, ev.state_key);
  }
  if (recipients.size === 0) return [];
  const version = getRoomVersion(msg.roomVersion);
  if (!version) return [];
  const senderPowerLevel = userPowerLevel(sender, before.powerLevels, before.create, version.authorization);
  const powerLevels = before.powerLevels?.content as Record<string, unknown> | undefined;
  const rulesets = await deps.rules.get(deps.store, [...recipients.keys()], (lp) => userIdOf(lp, deps.serverName));
  const out: NotificationInsert[] = [];
  for (const [lp, userId] of recipients) {
    const rules = rulesets.get(lp);
    if (!rules) continue;
    const o: PushOutcome | undefined = evaluatePushRules(rules, ev, {
      userId,
      displayName: before.joined.get(userId),
      memberCount: before.joined.size,
      senderPowerLevel,
      powerLevels,
    });
    if (o) out.push({ localpart: lp, highlight: o.highlight, actions: o.actions });
  }
  return out;
}

/** A new timeline event: notifications for its recipients, its sender's read position. */
export async function processNewRoomEvent(deps: NotificationDeps, msg: NewRoomEventOutput): Promise<void> {
  // Soft-failed events never reach clients: nobody is notified of them.
  if (msg.softFailed) return;
  const ev = msg.event;
  const notify = await outcomes(deps, msg);
  const senderLp = localpartIn(String(ev.sender), deps.serverName);
  const threadId = threadOf(ev);
  const queued = await deps.store.transaction(async (tx) => {
    await tx.notifications.lockRoom(msg.roomId);
    const pos = await tx.notifications.placeEvent(msg.roomId, msg.eventId);
    if (pos === undefined) return false; // processed before: a redelivery
    const changed = await tx.notifications.addNotifications(
      { roomId: msg.roomId, eventId: msg.eventId, pos, threadId, ts: Number(ev.origin_server_ts ?? 0) },
      notify,
    );
    // Read positions that move to this event: receipts that overtook it, and its sender's own.
    const readers: Array<{ localpart: string; threadId: string }> = await tx.notifications.takePendingReceipts(msg.roomId, msg.eventId);
    if (senderLp !== undefined) readers.push({ localpart: senderLp, threadId });
    const recount = new Set<string>();
    for (const r of readers) {
      if (await tx.notifications.advanceReadPosition(r.localpart, msg.roomId, r.threadId, pos, msg.eventId)) recount.add(r.localpart);
    }
    for (const lp of recount) {
      const row = await tx.notifications.recount(lp, msg.roomId);
      if (row) changed.push(row);
    }
    return publishCounts(deps, tx, msg.roomId, changed);
  });
  if (queued) await deps.outbox.flush();
}

/** A local user's read receipt: everything up to its event (in its thread, if threaded) is read. */
export async function processReceipt(deps: NotificationDeps, r: OutputReceiptEvent): Promise<void> {
  const lp = localpartIn(r.userId, deps.serverName);
  if (lp === undefined) return;
  const threadId = r.threadId ?? "";
  const queued = await deps.store.transaction(async (tx) => {
    await tx.notifications.lockRoom(r.roomId);
    const pos = await tx.notifications.eventPos(r.roomId, r.eventId);
    if (pos === undefined) {
      // The receipt overtook its event on the way here: applied when the event is processed.
      await tx.notifications.addPendingReceipt(lp, r.roomId, threadId, r.eventId);
      return false;
    }
    if (!(await tx.notifications.advanceReadPosition(lp, r.roomId, threadId, pos, r.eventId))) return false;
    const row = await tx.notifications.recount(lp, r.roomId);
    return row ? publishCounts(deps, tx, r.roomId, [row]) : false;
  });
  if (queued) await deps.outbox.flush();
}
