/**
 * Storing one checked event and everything that follows from it, in one transaction: the
 * event row (rejected ones too, flagged), forward extremities and current state, memberships
 * and invites, redactions, and the OutputRoomEvent rows of the outbox. NIDs and state
 * snapshots are written first, in autocommit (content-addressed, harmless if orphaned).
 */
import type { InputRoomEvent, InputResult } from "../../api";
import type { NewRoomEventOutput, OutputRoomEvent } from "../../output";
import type { RoomInfo, StateEntry } from "../../storage";
import type { RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { diffState, lookupEntry, ownEntry, withEntry, type StateAt } from "../state";
import { applyMembershipChanges, memberEventsOf } from "./memberships";
import type { ParsedEvent } from "./parse";
import { applyRedactions, planRedactions, type RedactionPlan } from "./redactions";

export interface CommitInput {
  input: InputRoomEvent;
  ev: ParsedEvent;
  room: RoomInfo;
  /** Undefined for outliers (state unknown). */
  stateBefore: StateAt | undefined;
  status: "accepted" | "soft_failed" | "rejected";
  rule?: string;
  reason?: string;
  /** Set when the event is stored as an outlier and now gets its state: the row is updated. */
  outlierNid?: number | undefined;
}

export async function commitEvent(ctx: RoomserverContext, c: CommitInput): Promise<InputResult> {
  const { ev, room, input } = c;
  const { store } = ctx;
  const typeNid = (await store.assignEventTypeNids([ev.type])).get(ev.type)!;
  const stateKeyNid = ev.stateKey === undefined ? null : (await store.assignStateKeyNids([ev.stateKey])).get(ev.stateKey)!;
  const memberTypeNid = (await store.assignEventTypeNids(["m.room.member"])).get("m.room.member");
  const eventNid = c.outlierNid ?? (await store.allocateEventNid());
  const before = c.stateBefore;
  const beforeNid = before === undefined ? 0 : (before.snapshotNid ?? (await store.writeState(room.roomNid, before.entries)));
  const authNids = await store.eventNidsByIds(ev.authEventIds);

  const self: StoredEvent = {
    nid: eventNid,
    id: ev.eventId,
    roomNid: room.roomNid,
    typeNid,
    stateKeyNid,
    type: ev.type,
    stateKey: ev.stateKey,
    sender: ev.sender,
    depth: ev.depth,
    pdu: ev.pdu,
    rejected: c.status === "rejected",
    rejectionReason: c.reason ?? null,
    softFailed: c.status === "soft_failed",
    outlier: before === undefined,
    stateSnapshotNid: beforeNid,
    prevEventIds: ev.prevEventIds,
    redactedBy: null,
  };

  // The room moves forward only for accepted new events.
  const advance = input.kind === "new" && c.status === "accepted" && before !== undefined ? await advanceRoom(ctx, room, self, beforeNid, before.entries) : undefined;

  // Everything the transaction needs is read before it opens: inside, only its connection is used.
  const known = new Map([[eventNid, self]]);
  const outlierInvite = input.kind === "outlier" && room.stateSnapshotNid === 0 && isInvite(ev);
  const memberAdds: StateEntry[] = advance ? advance.adds : outlierInvite ? [{ typeNid, stateKeyNid: stateKeyNid!, eventNid }] : [];
  const members = await memberEventsOf(ctx, memberAdds, memberTypeNid, known);
  const redactionPlan: RedactionPlan = c.status === "accepted" ? await planRedactions(ctx, room, self) : { apply: [] };

  const changed: string[] = [];
  const result = await store.transaction(async (tx): Promise<InputResult> => {
    const insert = async () => {
      const inserted = await tx.insertEvents([
        {
          eventNid,
          roomNid: room.roomNid,
          eventId: ev.eventId,
          eventTypeNid: typeNid,
          eventStateKeyNid: stateKeyNid,
          sender: ev.sender,
          depth: ev.depth,
          originServerTs: ev.originServerTs,
          json: ev.json,
          authEventNids: ev.authEventIds.map((id) => authNids.get(id)).filter((n): n is number => n !== undefined),
          prevEventIds: ev.prevEventIds,
          stateSnapshotNid: beforeNid,
          outlier: self.outlier,
          rejected: self.rejected,
          rejectionReason: c.reason ?? null,
          softFailed: self.softFailed,
        },
      ]);
      return inserted.get(ev.eventId)?.inserted === true;
    };
    const upgrade = () =>
      tx.upgradeOutlier(eventNid, { stateSnapshotNid: beforeNid, rejected: self.rejected, rejectionReason: c.reason ?? null, softFailed: self.softFailed });
    const stored = c.outlierNid !== undefined ? await upgrade() : await insert();
    if (!stored) return { eventId: ev.eventId, status: "duplicate" };
    const result: InputResult = { eventId: ev.eventId, status: c.status, ...(c.rule ? { rule: c.rule, reason: c.reason } : {}) };
    if (c.status === "rejected") return result;

    const outputs: OutputRoomEvent[] = [];
    const roomRef = { roomNid: room.roomNid, roomId: room.roomId, roomVersion: room.roomVersion };
    if (advance) {
      // The room may only move from the state we computed against (another process, a bug).
      const locked = await tx.roomInfoForUpdate(room.roomNid);
      if (!locked || locked.stateSnapshotNid !== room.stateSnapshotNid || !sameNids(locked.latestEventNids, room.latestEventNids)) {
        throw new RoomMovedError(room.roomId);
      }
      await tx.updateLatestEvents(room.roomNid, advance.currentNid, advance.latestNids, eventNid);
      outputs.push(advance.output(input), ...(await applyMembershipChanges(ctx, tx, roomRef, members)));
    } else if (input.kind === "old" && c.status === "accepted") {
      outputs.push({ kind: "old_room_event", roomId: room.roomId, roomVersion: room.roomVersion, event: ev.pdu, eventId: ev.eventId });
    } else if (outlierInvite) {
      // An invite over federation to a room we are not in arrives as an outlier: the invitee must still hear of it.
      outputs.push(...(await applyMembershipChanges(ctx, tx, roomRef, members)));
    }
    const redacted = await applyRedactions(tx, roomRef, redactionPlan);
    changed.push(...redacted.map((r) => r.redactedEventId));
    outputs.push(...redacted);
    await tx.appendOutbox(outputs.map((payload) => ({ roomId: room.roomId, payload })));
    if (input.transactionId) {
      const sender = String(ev.pdu.sender);
      const key = {
        roomId: room.roomId,
        sender,
        deviceId: input.transactionId.deviceId,
        txnId: input.transactionId.transactionId,
        eventType: String(ev.pdu.type),
      };
      await tx.recordSendTransaction(key, ev.eventId, Date.now());
    }
    return result;
  });
  // Rows this transaction changed (an upgraded outlier, redacted events) must be re-read.
  ctx.events.forget([ev.eventId, ...changed]);
  return result;
}

interface Advance {
  currentNid: number;
  latestNids: number[];
  adds: StateEntry[];
  output(input: InputRoomEvent): NewRoomEventOutput;
}

/** New forward extremities and current state after `self`, and the new_room_event describing it. */
async function advanceRoom(
  ctx: RoomserverContext,
  room: RoomInfo,
  self: StoredEvent,
  beforeNid: number,
  beforeEntries: readonly StateEntry[],
): Promise<Advance> {
  const { store } = ctx;
  const prevNids = await store.eventNidsByIds(self.prevEventIds);
  const prevSet = new Set(prevNids.values());
  const latestNids = [...room.latestEventNids.filter((n) => !prevSet.has(n)), self.nid];
  const change =
    latestNids.length === 1 && beforeNid === room.stateSnapshotNid
      ? await extendCurrentState(ctx, room, self, beforeEntries)
      : await recomputeCurrentState(ctx, room, self, latestNids, beforeEntries);
  const latestIds = await idsOf(ctx, latestNids, self);
  const [adds, removes, bAdds, bRemoves] = await Promise.all(
    [change.adds, change.removes, change.beforeAdds, change.beforeRemoves].map((es) => idsOf(ctx, es.map((e) => e.eventNid), self)),
  );
  return {
    currentNid: change.currentNid,
    latestNids,
    adds: change.adds,
    output: (input) => ({
      kind: "new_room_event",
      roomId: room.roomId,
      roomVersion: room.roomVersion,
      event: self.pdu,
      eventId: self.id,
      addsStateEventIds: adds!,
      removesStateEventIds: removes!,
      stateBeforeAddsEventIds: bAdds!,
      stateBeforeRemovesEventIds: bRemoves!,
      latestEventIds: latestIds,
      ...(input.sendAsServer ? { sendAsServer: input.sendAsServer } : {}),
      ...(input.transactionId ? { transactionId: input.transactionId } : {}),
    }),
  };
}

interface StateChange {
  currentNid: number;
  adds: StateEntry[];
  removes: StateEntry[];
  /** State before the event compared with the current state before it. */
  beforeAdds: StateEntry[];
  beforeRemoves: StateEntry[];
}

/**
 * The common case: the event sits on the room's only extremity and its state before is the
 * current state. A message changes nothing; a state event changes one key. No scan of the state.
 */
async function extendCurrentState(ctx: RoomserverContext, room: RoomInfo, self: StoredEvent, current: readonly StateEntry[]): Promise<StateChange> {
  const own = ownEntry(self);
  if (!own) return { currentNid: room.stateSnapshotNid, adds: [], removes: [], beforeAdds: [], beforeRemoves: [] };
  const old = lookupEntry(current, own.typeNid, own.stateKeyNid);
  const currentNid = await ctx.store.writeState(room.roomNid, withEntry(current, own));
  return { currentNid, adds: [own], removes: old ? [old] : [], beforeAdds: [], beforeRemoves: [] };
}

/** Forks, merges, or a state before that is not the current state: resolve across the extremities. */
async function recomputeCurrentState(
  ctx: RoomserverContext,
  room: RoomInfo,
  self: StoredEvent,
  latestNids: readonly number[],
  beforeEntries: readonly StateEntry[],
): Promise<StateChange> {
  const { store, state } = ctx;
  const afterSelf = withEntry(beforeEntries, ownEntry(self));
  let current: readonly StateEntry[] = afterSelf;
  if (latestNids.length > 1) {
    // Other branches stay open: current state is the resolution of every extremity's state.
    const others = await ctx.events.byNids(latestNids.filter((n) => n !== self.nid));
    const sets = [afterSelf, ...(await Promise.all([...others.values()].map(async (e) => (await state.stateAfter(e)).entries)))];
    current = await state.resolveSets(room.roomVersion, sets, [self]);
  }
  const oldCurrent = await store.loadState(room.stateSnapshotNid);
  const diff = diffState(oldCurrent, current);
  const currentNid = diff.adds.length === 0 && diff.removes.length === 0 ? room.stateSnapshotNid : await store.writeState(room.roomNid, current);
  const beforeDiff = diffState(oldCurrent, beforeEntries);
  return { currentNid, adds: diff.adds, removes: diff.removes, beforeAdds: beforeDiff.adds, beforeRemoves: beforeDiff.removes };
}

async function idsOf(ctx: RoomserverContext, nids: readonly number[], self: StoredEvent): Promise<string[]> {
  const others = await ctx.events.byNids(nids.filter((n) => n !== self.nid));
  return nids.flatMap((n) => (n === self.nid ? [self.id] : others.has(n) ? [others.get(n)!.id] : []));
}

function isInvite(ev: ParsedEvent): boolean {
  return ev.type === "m.room.member" && ev.stateKey !== undefined && (ev.pdu.content as { membership?: unknown }).membership === "invite";
}

/** The room changed between reading it and committing: process the event again. */
export class RoomMovedError extends Error {
  constructor(roomId: string) {
    super(`room ${roomId} moved while an event was being processed`);
    this.name = "RoomMovedError";
  }
}

function sameNids(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n) => b.includes(n));
}
