/**
 * Redaction bookkeeping. In room versions 3+ the auth rules let any redaction through; whether
 * it applies is decided when both it and its target are known (client-server API,
 * "Redactions"): the redacter is the target's sender's server, or has the `redact` power level
 * in the state before the redaction. Either may arrive first, so both orders are handled.
 */
import { getRoomVersion, redactsOf, userPowerLevel, namedPowerLevel } from "@dendrite-ts/protocol";
import type { RedactedEventOutput } from "../../output";
import type { RoomserverStore } from "../../storage";
import { serverOf, type RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { searchKey } from "../search-words";
import { selectAuthEvents } from "./auth";

async function allowed(ctx: RoomserverContext, redaction: StoredEvent, target: StoredEvent, roomVersion: string): Promise<boolean> {
  if (target.roomNid !== redaction.roomNid || target.rejected) return false;
  if (serverOf(redaction.sender) === serverOf(target.sender)) return true;
  const rules = getRoomVersion(roomVersion);
  if (!rules) return false;
  const entries = await ctx.store.loadState(redaction.stateSnapshotNid);
  const authEvents = await selectAuthEvents(ctx, redaction.pdu, rules, entries);
  const pl = authEvents.find((e) => e.type === "m.room.power_levels");
  const create = authEvents.find((e) => e.type === "m.room.create");
  return userPowerLevel(redaction.sender, pl, create, rules.authorization) >= namedPowerLevel(pl, "redact", rules.authorization);
}

export interface RedactionPlan {
  /** `ev` is a redaction: record it against its target. */
  record?: { redactionId: string; targetId: string };
  /** Redactions that now have both ends and are allowed. */
  apply: { redaction: StoredEvent; target: StoredEvent }[];
}

/**
 * Before the transaction that stores `ev` (reads only): what to record, and which redactions
 * now have both ends and pass the check. Safe outside the transaction because a room's events
 * are processed one at a time.
 */
export async function planRedactions(
  ctx: RoomserverContext,
  room: { roomVersion: string },
  ev: StoredEvent,
  opts: { fresh: boolean } = { fresh: false },
): Promise<RedactionPlan> {
  const plan: RedactionPlan = { apply: [] };
  const pairs: { redaction: StoredEvent; target: StoredEvent }[] = [];
  if (ev.type === "m.room.redaction" && !ev.rejected) {
    const targetId = redactsOf(ev.pdu, room.roomVersion);
    if (targetId) {
      plan.record = { redactionId: ev.id, targetId };
      const target = (await ctx.events.byIds([targetId])).get(targetId);
      if (target) pairs.push({ redaction: ev, target });
    }
  }
  // A fresh event's ID was never seen, so no redaction can be waiting for it.
  const waiting = opts.fresh ? [] : (await ctx.store.redactionsOf(ev.id)).filter((r) => !r.validated);
  if (waiting.length > 0) {
    const redactions = await ctx.events.byIds(waiting.map((r) => r.redactionEventId));
    for (const r of redactions.values()) pairs.push({ redaction: r, target: ev });
  }
  for (const p of pairs) if (await allowed(ctx, p.redaction, p.target, room.roomVersion)) plan.apply.push(p);
  return plan;
}

/** In the transaction: record and apply what `planRedactions` found. */
export async function applyRedactions(tx: RoomserverStore, room: { roomId: string }, plan: RedactionPlan): Promise<RedactedEventOutput[]> {
  if (plan.record) await tx.insertRedaction(plan.record.redactionId, plan.record.targetId);
  const outputs: RedactedEventOutput[] = [];
  for (const { redaction, target } of plan.apply) {
    await tx.markValidated(redaction.id);
    await tx.setRedactedBy(target.id, redaction.id);
    // A redacted member event keeps no displayname or avatar: the user directory stops showing them.
    if (target.type === "m.room.member" && target.stateKeyNid !== null && target.stateKey !== undefined) {
      await tx.clearMemberProfile(target.roomNid, target.stateKeyNid, target.nid, searchKey(target.stateKey, undefined));
    }
    outputs.push({ kind: "redacted_event", roomId: room.roomId, redactedEventId: target.id, redactedBecause: redaction.pdu });
  }
  return outputs;
}
