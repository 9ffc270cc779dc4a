/**
 * Redaction bookkeeping. In room versions 3+ the auth rules let any redaction through; whether
 * it applies is decided when both it and its target are known (client-server API,
 * "Redactions"): the redacter is the target's sender's server, or has the `redact` power level
 * in the state before the redaction. Either may arrive first, so both orders are handled.
 */
import { getRoomVersion, userPowerLevel, namedPowerLevel } from "@dendrite-ts/protocol";
import type { PduJson } from "../../api";
import type { RedactedEventOutput } from "../../output";
import type { RoomserverStore } from "../../storage";
import { serverOf, type RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { selectAuthEvents } from "./auth";

/** The event a redaction targets: top-level `redacts` (v1–10) or `content.redacts` (v11+). */
export function redactsOf(pdu: PduJson): string | undefined {
  const top = pdu.redacts;
  const inContent = (pdu.content as { redacts?: unknown } | undefined)?.redacts;
  const id = typeof inContent === "string" ? inContent : top;
  return typeof id === "string" ? id : undefined;
}

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

/**
 * Called in the transaction that stores `ev`: records `ev` if it is a redaction, and applies
 * whichever redactions now have both ends.
 */
export async function applyRedactions(
  ctx: RoomserverContext,
  tx: RoomserverStore,
  room: { roomId: string; roomVersion: string },
  ev: StoredEvent,
): Promise<RedactedEventOutput[]> {
  const pairs: [StoredEvent, StoredEvent][] = [];
  if (ev.type === "m.room.redaction" && !ev.rejected) {
    const targetId = redactsOf(ev.pdu);
    if (targetId) {
      await tx.insertRedaction(ev.id, targetId);
      const target = (await ctx.events.byIds([targetId])).get(targetId);
      if (target) pairs.push([ev, target]);
    }
  }
  const waiting = (await tx.redactionsOf(ev.id)).filter((r) => !r.validated);
  if (waiting.length > 0) {
    const redactions = await ctx.events.byIds(waiting.map((r) => r.redactionEventId));
    for (const r of redactions.values()) pairs.push([r, ev]);
  }

  const outputs: RedactedEventOutput[] = [];
  for (const [redaction, target] of pairs) {
    if (!(await allowed(ctx, redaction, target, room.roomVersion))) continue;
    await tx.markValidated(redaction.id);
    await tx.setRedactedBy(target.id, redaction.id);
    outputs.push({ kind: "redacted_event", roomId: room.roomId, redactedEventId: target.id, redactedBecause: redaction.pdu });
  }
  return outputs;
}
