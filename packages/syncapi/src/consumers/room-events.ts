/**
 * The OutputRoomEvent consumer: one switch over the union, each kind written in one
 * transaction with the stream position it moves. Idempotent: an event ID already stored (ON
 * CONFLICT DO NOTHING) makes a redelivery a no-op, so a duplicate never reaches a client.
 * Runs one message at a time: positions then commit in order, and a token never skips a row.
 */
import { computeEventId, redactEvent, redactsOf } from "@dendrite-ts/protocol";
import type {
  NewInviteOutput,
  NewRoomEventOutput,
  OldRoomEventOutput,
  OutputRoomEvent,
  RedactedEventOutput,
  RetireInviteOutput,
  RoomserverForSync,
} from "@dendrite-ts/roomserver";
import type { Wake } from "../notifier";
import type { WakeBus } from "../wake-bus";
import type { PresenceState } from "../sync/presence";
import type { StateAdd, StoredEvent, SyncStore } from "../storage";
import { writeTransaction } from "./write-transaction";
import { strippedStateAt } from "../sync/stripped-state";
import { pduToClientEvent, strippedEvent, toClientEvent } from "../sync/client-event";

export interface RoomEventHandlerDeps {
  store: SyncStore;
  roomserver: Pick<RoomserverForSync, "queryEventsById">;
  /** Called after commit with the users and rooms whose /syncs may have changed. */
  wake(what: Wake): void;
  /**
   * When given, a write that can be one statement carries the NOTIFY for other processes
   * itself and local waiters are woken as soon as it returns, instead of calling wake().
   */
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
  /** Local users' presence held in memory: a join makes the joiner's news again. */
  presence?: Pick<PresenceState, "touch">;
}

type Pdu = Record<string, unknown>;

function eventRow(roomId: string, roomVersion: string, eventId: string, pdu: Pdu, originKind: "new" | "old" | "outlier") {
  const content = (pdu.content ?? {}) as Record<string, unknown>;
  const rel = content["m.relates_to"] as Record<string, unknown> | undefined;
  const relatesTo = typeof rel?.event_id === "string" ? rel.event_id : null;
  return {
    eventId,
    roomId,
    type: String(pdu.type),
    sender: String(pdu.sender),
    stateKey: typeof pdu.state_key === "string" ? pdu.state_key : null,
    depth: Number(pdu.depth ?? 0),
    roomVersion,
    eventJson: pdu,
    unsignedExtra: {},
    txnId: null as string | null,
    txnDeviceId: null as string | null,
    containsUrl: typeof content.url === "string",
    originKind,
    excluded: false,
    relatesTo,
    relType: relatesTo && typeof rel?.rel_type === "string" ? rel.rel_type : null,
  };
}

export function createRoomEventHandler(deps: RoomEventHandlerDeps): (msg: OutputRoomEvent) => Promise<void> {
  const store = { transaction: <T>(fn: (tx: SyncStore) => Promise<T>) => writeTransaction(deps.store, fn) };

  /** Added state events as rows we hold; ones we never saw (outliers of a join) are fetched and stored state-only. */
  async function stateAdds(tx: SyncStore, msg: NewRoomEventOutput, self: StoredEvent): Promise<StateAdd[]> {
    const ids = msg.addsStateEventIds;
    const held = new Map((await tx.events.eventsByIds(ids.filter((id) => id !== self.eventId))).map((e) => [e.eventId, e]));
    held.set(self.eventId, self);
    const missing = ids.filter((id) => !held.has(id));
    if (missing.length > 0) {
      const { body } = await deps.roomserver.queryEventsById({ body: { eventIds: missing } });
      const rows = body.events.map((pdu) => {
        const id = typeof pdu.event_id === "string" ? pdu.event_id : computeEventId(pdu, msg.roomVersion);
        return eventRow(msg.roomId, msg.roomVersion, id, pdu, "outlier");
      });
      for (const e of await tx.events.insertEvents(rows)) held.set(e.eventId, e);
    }
    const adds: StateAdd[] = [];
    for (const id of ids) {
      const e = held.get(id);
      if (!e || e.stateKey === null) continue;
      const membership = e.type === "m.room.member" ? String((e.eventJson.content as Pdu | undefined)?.membership ?? "leave") : null;
      adds.push({ type: e.type, stateKey: e.stateKey, eventId: e.eventId, membership });
    }
    return adds;
  }

  function newEventRow(msg: NewRoomEventOutput) {
    const row = eventRow(msg.roomId, msg.roomVersion, msg.eventId, msg.event, "new");
    if (msg.transactionId) {
      row.txnId = msg.transactionId.transactionId;
      row.txnDeviceId = msg.transactionId.deviceId;
    }
    row.excluded = msg.softFailed === true;
    return row;
  }

  /**
   * An event that changes no state (a message, a soft-failed event): one statement — lock,
   * insert, position, and the NOTIFY for other processes — then local waiters at once.
   */
  async function onLiveEvent(msg: NewRoomEventOutput): Promise<void> {
    const row = newEventRow(msg);
    const what: Wake = { rooms: [msg.roomId], users: [] };
    const notice = row.excluded ? undefined : deps.bus?.notice(what);
    const written = await deps.store.hot.writeLiveEvent(row, notice);
    if (written === undefined || row.excluded) return;
    if (!deps.bus) return deps.wake(what);
    // A new row is exactly what a read would return: waiters woken by it alone can answer from it.
    const live = written.fresh ? { event: { ...row, pos: written.pos, redactedBecause: null }, prevPos: written.prevPos } : undefined;
    deps.bus.wakeLocal(what, live);
  }

  /** The users whose membership changed (the room's members are woken by room), and who joined. */
  async function onNewRoomEvent(msg: NewRoomEventOutput): Promise<{ members: Set<string>; joined: string[] } | undefined> {
    // The writers' lock, the insert and the position in the transaction's first statement.
    return deps.store.transaction(async (tx) => {
      const row = newEventRow(msg);
      const pos = await tx.hot.insertLiveEvent(row);
      if (pos === undefined) return undefined;
      if (row.excluded) return undefined;
      const self: StoredEvent = { ...row, pos, redactedBecause: null };
      const adds = await stateAdds(tx, msg, self);
      const replaced = await tx.state.applyStateDelta(msg.roomId, pos, adds, msg.removesStateEventIds);
      const prev = replaced.find((r) => r.type === self.type && r.stateKey === self.stateKey);
      if (prev) await tx.hot.setReplacesState(self.eventId, prev.eventId);
      const members = adds.filter((a) => a.type === "m.room.member");
      await tx.memberships.insertMemberships(members.map((a) => ({ userId: a.stateKey, roomId: msg.roomId, pos, membership: a.membership ?? "leave", eventId: a.eventId })));
      // A join, leave or ban answers any pending invite: retire it in the same transaction, so no
      // /sync sees the new membership and the old invite together (retire_invite comes after).
      for (const a of members) {
        if (a.membership === "invite") continue;
        await tx.invites.retirePendingInvitesOf(msg.roomId, a.stateKey, pos, { eventId: a.eventId, membership: a.membership ?? "leave" });
      }
      return { members: new Set(members.map((a) => a.stateKey)), joined: members.filter((a) => a.membership === "join").map((a) => a.stateKey) };
    });
  }

  async function onOldRoomEvent(msg: OldRoomEventOutput): Promise<void> {
    await store.transaction(async (tx) => {
      const pos = await tx.events.insertEvent(eventRow(msg.roomId, msg.roomVersion, msg.eventId, msg.event, "old"));
      if (pos !== undefined) await tx.positions.bumpPosition("room", pos);
    });
  }

  /** invite_state: the room's stripped state as we hold it, else what the invite carried (federation). */
  async function strippedState(tx: SyncStore, msg: NewInviteOutput, pos: number): Promise<Pdu[]> {
    const held = await strippedStateAt(tx, msg.roomId, pos, String(msg.event.sender));
    if (held.length > 0) return [...held, strippedEvent(msg.event)];
    const carried = (msg.event.unsigned as Pdu | undefined)?.invite_room_state;
    return [...(Array.isArray(carried) ? (carried as Pdu[]) : []), strippedEvent(msg.event)];
  }

  async function onNewInvite(msg: NewInviteOutput): Promise<void> {
    await store.transaction(async (tx) => {
      const pos = await tx.positions.nextStreamPos();
      const stripped = await strippedState(tx, msg, pos);
      const row = { eventId: msg.eventId, roomId: msg.roomId, userId: msg.targetUserId, inviteEvent: msg.event, roomVersion: msg.roomVersion, strippedState: stripped };
      if (await tx.invites.insertInvite(row, pos)) await tx.positions.bumpPosition("room", pos);
    });
  }

  async function onRetireInvite(msg: RetireInviteOutput): Promise<void> {
    await store.transaction(async (tx) => {
      const pos = await tx.positions.nextStreamPos();
      const by = { eventId: msg.retiredByEventId, membership: msg.membership };
      if (await tx.invites.retireInvite(msg.eventId, pos, by)) await tx.positions.bumpPosition("room", pos);
    });
  }

  async function onRedacted(msg: RedactedEventOutput): Promise<void> {
    await store.transaction(async (tx) => {
      const [target] = await tx.events.eventsByIds([msg.redactedEventId]);
      if (!target || target.redactedBecause) return;
      const pdu = msg.redactedBecause;
      const redactionId = typeof pdu.event_id === "string" ? pdu.event_id : computeEventId(pdu, target.roomVersion);
      const [stored] = await tx.events.eventsByIds([redactionId]);
      const because = stored ? toClientEvent(stored) : pduToClientEvent(pdu, redactionId, target.roomVersion);
      delete (because.unsigned as Pdu).age;
      const redacted = redactEvent(target.eventJson, target.roomVersion);
      await tx.events.setRedacted(target.eventId, redacted, because);
      // A redacted redaction: the event it redacted shows it redacted too, not the reason it hid.
      const redactedTarget = redactsOf(target.eventJson, target.roomVersion);
      if (target.type === "m.room.redaction" && redactedTarget) {
        const copy = toClientEvent({ ...target, eventJson: redacted, unsignedExtra: {}, redactedBecause: null });
        delete (copy.unsigned as Pdu).age;
        await tx.events.refreshRedactedBecause(redactedTarget, target.eventId, copy);
      }
    });
  }

  async function onPurge(roomId: string): Promise<void> {
    await store.transaction(async (tx) => {
      await tx.events.deleteRoomEvents(roomId);
      await tx.state.deleteRoomState(roomId);
      await tx.memberships.deleteRoomMemberships(roomId);
      await tx.invites.deleteRoomInvites(roomId);
    });
    await deps.store.receipts.deleteRoomReceipts(roomId);
    await deps.store.unread.deleteRoomUnreadCounts(roomId);
  }

  return async (msg) => {
    switch (msg.kind) {
      case "new_room_event": {
        if (msg.addsStateEventIds.length === 0 && msg.removesStateEventIds.length === 0) return onLiveEvent(msg);
        const changed = await onNewRoomEvent(msg);
        if (!changed) return;
        // A joiner's presence is news to their new room-mates (the wake below reaches them).
        for (const userId of changed.joined) deps.presence?.touch(userId);
        deps.wake({ rooms: [msg.roomId], users: changed.members });
        return;
      }
      case "old_room_event":
        return onOldRoomEvent(msg);
      case "new_invite":
        await onNewInvite(msg);
        deps.wake({ users: [msg.targetUserId] });
        return;
      case "retire_invite":
        await onRetireInvite(msg);
        deps.wake({ users: [msg.targetUserId] });
        return;
      case "redacted_event":
        return onRedacted(msg);
      case "purge_room":
        return onPurge(msg.roomId);
      default: {
        // A kind from a newer roomserver: nothing here can show it; blocking the room would be worse.
        const unknown: never = msg;
        void unknown;
        return;
      }
    }
  };
}
