/**
 * Storing one checked event and everything that follows from it, in one transaction: the
 * event row (rejected ones too, flagged), forward extremities and current state, memberships
 * and invites, redactions, the OutputRoomEvent rows of the outbox, and the client transaction
 * that asked for it. NIDs and state snapshots are written first, in autocommit
 * (content-addressed, harmless if orphaned). The common case — a new event on the room's tip
 * that changes no membership and touches no redaction — commits in one statement
 * (storage/one-statement-commit.ts); everything else takes the general transaction.
 */
import type { InputRoomEvent, InputResult } from "../../api";
import type { NewRoomEventOutput, OutputRoomEvent } from "../../output";
import type { NewEventRow, OutboxRow, RoomInfo, RoomVisibilityChange, SendTransactionKey, StateEntry } from "../../storage";
import type { RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { diffState, lookupEntry, ownEntry, withEntry, type StateAt } from "../state";
import { applyMembershipChanges, memberEventsOf } from "./memberships";
import type { ParsedEvent } from "./parse";
import { applyRedactions, planRedactions, type RedactionPlan } from "./redactions";
import { visibilityChangeOf } from "./room-visibility";

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
  /** Built here a moment ago (see ProcessOptions.fresh). */
  fresh?: boolean;
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
  const authNids = await nidsOf(ctx, ev.authEventIds);

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
  const row: NewEventRow & { eventNid: number } = {
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
  };
  const txnKey: SendTransactionKey | undefined = input.transactionId
    ? {
        roomId: room.roomId,
        sender: String(ev.pdu.sender),
        deviceId: input.transactionId.deviceId,
        txnId: input.transactionId.transactionId,
        eventType: String(ev.pdu.type),
      }
    : undefined;

  // The room moves forward only for accepted new events.
  const advance = input.kind === "new" && c.status === "accepted" && before !== undefined ? await advanceRoom(ctx, room, self, beforeNid, before.entries) : undefined;

  // Everything the transaction needs is read before it opens: inside, only its connection is used.
  const known = new Map([[eventNid, self]]);
  const outlierInvite = input.kind === "outlier" && room.stateSnapshotNid === 0 && isInvite(ev);
  const memberAdds: StateEntry[] = advance ? advance.adds : outlierInvite ? [{ typeNid, stateKeyNid: stateKeyNid!, eventNid }] : [];
  const members = await memberEventsOf(ctx, memberAdds, memberTypeNid, known);
  const redactionPlan: RedactionPlan = c.status === "accepted" ? await planRedactions(ctx, room, self, { fresh: c.fresh === true }) : { apply: [] };
  const visibility = advance ? await visibilityChangeOf(ctx, advance.adds, advance.removes, known) : undefined;

  const simple =
    advance !== undefined && members.length === 0 && visibility === undefined && !redactionPlan.record && redactionPlan.apply.length === 0 && c.outlierNid === undefined;
  const outcome = simple
    ? await commitSimple(ctx, { room, row, advance, input, txnKey, eventId: ev.eventId })
    : await commitGeneral(ctx, { c, row, self, advance, members, visibility, redactionPlan, txnKey, outlierInvite });
  if (outcome.kind === "moved") {
    ctx.store.forgetRoom(room.roomNid);
    throw new RoomMovedError(room.roomId);
  }
  if (outcome.kind === "duplicate_transaction") {
    // The client's transaction made an event before (a retry): answer with that one.
    const first = await store.sentEventId(txnKey!);
    return { eventId: first ?? ev.eventId, status: "duplicate" };
  }
  if (outcome.kind === "duplicate") return { eventId: ev.eventId, status: "duplicate" };

  if (advance) {
    store.rememberRoom({ ...room, stateSnapshotNid: advance.currentNid, latestEventNids: advance.latestNids, lastEventNid: eventNid });
  }
  // Rows this transaction changed (an upgraded outlier, redacted events) must be re-read.
  ctx.events.forget([...(c.outlierNid !== undefined ? [ev.eventId] : []), ...outcome.changed]);
  if (c.outlierNid === undefined) ctx.events.remember(self);
  ctx.outputs.committed(outcome.outbox);
  return { eventId: ev.eventId, status: c.status, ...(c.rule ? { rule: c.rule, reason: c.reason } : {}) };
}

type CommitOutcome =
  | { kind: "committed"; outbox: OutboxRow[]; changed: string[] }
  | { kind: "duplicate" }
  | { kind: "duplicate_transaction" }
  | { kind: "moved" };

/** A new event on the tip that changes no membership, no room visibility and no redaction: one statement. */
async function commitSimple(
  ctx: RoomserverContext,
  a: { room: RoomInfo; row: NewEventRow & { eventNid: number }; advance: Advance; input: InputRoomEvent; txnKey: SendTransactionKey | undefined; eventId: string },
): Promise<CommitOutcome> {
  const { room, advance } = a;
  const res = await ctx.store.commitInOneStatement({
    event: a.row,
    room: {
      roomNid: room.roomNid,
      roomId: room.roomId,
      from: { stateSnapshotNid: room.stateSnapshotNid, latestEventNids: room.latestEventNids },
      to: { stateSnapshotNid: advance.currentNid, latestEventNids: advance.latestNids, lastEventNid: a.row.eventNid },
    },
    outputs: [advance.output(a.input)],
    sendTransaction: a.txnKey ? { key: a.txnKey, eventId: a.eventId, createdTs: Date.now() } : undefined,
  });
  if (res.committed) return { kind: "committed", outbox: res.outbox, changed: [] };
  if (res.reason === "room_moved") return { kind: "moved" };
  return { kind: res.reason === "duplicate_event" ? "duplicate" : "duplicate_transaction" };
}

class DuplicateTransaction extends Error {}

/** Everything else (memberships, room visibility, invites, redactions, outliers, rejections, forks): one transaction. */
async function commitGeneral(
  ctx: RoomserverContext,
  a: {
    c: CommitInput;
    row: NewEventRow & { eventNid: number };
    self: StoredEvent;
    advance: Advance | undefined;
    members: Awaited<ReturnType<typeof memberEventsOf>>;
    visibility: RoomVisibilityChange | undefined;
    redactionPlan: RedactionPlan;
    txnKey: SendTransactionKey | undefined;
    outlierInvite: boolean;
  },
): Promise<CommitOutcome> {
  const { c, row, self, advance, members, txnKey } = a;
  const { ev, room, input } = c;
  try {
    return await ctx.store.transaction(async (tx): Promise<CommitOutcome> => {
      const stored =
        c.outlierNid !== undefined
          ? await tx.upgradeOutlier(row.eventNid, { stateSnapshotNid: self.stateSnapshotNid, rejected: self.rejected, rejectionReason: c.reason ?? null, softFailed: self.softFailed })
          : (await tx.insertEvents([row])).get(ev.eventId)?.inserted === true;
      if (!stored) return { kind: "duplicate" };
      if (c.status === "rejected") return { kind: "committed", outbox: [], changed: [] };

      const outputs: OutputRoomEvent[] = [];
      const roomRef = { roomNid: room.roomNid, roomId: room.roomId, roomVersion: room.roomVersion };
      if (advance) {
        // The room may only move from the state we computed against (another process, a bug).
        const locked = await tx.roomInfoForUpdate(room.roomNid);
        if (!locked || locked.stateSnapshotNid !== room.stateSnapshotNid || !sameNids(locked.latestEventNids, room.latestEventNids)) {
          return { kind: "moved" };
        }
        await tx.updateLatestEvents(room.roomNid, advance.currentNid, advance.latestNids, row.eventNid);
        outputs.push(advance.output(input), ...(await applyMembershipChanges(ctx, tx, roomRef, members)));
        if (a.visibility) await tx.setRoomVisibility(room.roomNid, a.visibility);
      } else if (input.kind === "old" && c.status === "accepted") {
        outputs.push({ kind: "old_room_event", roomId: room.roomId, roomVersion: room.roomVersion, event: ev.pdu, eventId: ev.eventId });
      } else if (a.outlierInvite) {
        // An invite over federation to a room we are not in arrives as an outlier: the invitee must still hear of it.
        outputs.push(...(await applyMembershipChanges(ctx, tx, roomRef, members)));
      }
      const redacted = await applyRedactions(tx, roomRef, a.redactionPlan);
      // What this event redacts goes out before it, so a consumer that holds the redaction has
      // applied it (a read that waits for the room's newest events sees the target redacted);
      // an event redacted as it arrives must come first, so its redaction follows it.
      outputs.unshift(...redacted.filter((r) => r.redactedEventId !== ev.eventId));
      outputs.push(...redacted.filter((r) => r.redactedEventId === ev.eventId));
      const outbox = await tx.appendOutbox(outputs.map((payload) => ({ roomId: room.roomId, payload })));
      if (txnKey && !(await tx.recordSendTransaction(txnKey, ev.eventId, Date.now()))) throw new DuplicateTransaction();
      return { kind: "committed", outbox, changed: redacted.map((r) => r.redactedEventId) };
    });
  } catch (e) {
    if (e instanceof DuplicateTransaction) return { kind: "duplicate_transaction" };
    throw e;
  }
}

/** NIDs of events by ID, through the event cache (auth and prev events are usually in it). */
async function nidsOf(ctx: RoomserverContext, ids: readonly string[]): Promise<Map<string, number>> {
  const found = await ctx.events.byIds(ids);
  return new Map([...found].map(([id, e]) => [id, e.nid]));
}

interface Advance {
  currentNid: number;
  latestNids: number[];
  adds: StateEntry[];
  removes: StateEntry[];
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
  const prevNids = await nidsOf(ctx, self.prevEventIds);
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
    removes: change.removes,
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
