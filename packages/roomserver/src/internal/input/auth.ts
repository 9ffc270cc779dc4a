/**
 * The three auth checks of "Checks performed on receipt of a PDU": against the event's own
 * auth events (reject), against the state before it (reject), against the room's current
 * state (soft-fail). protocol's `checkEventAuth` decides; we only gather the events it reads.
 */
import { authEventStateKeys, checkEventAuthWithRules, computeEventId, MatrixError } from "@dendrite-ts/protocol";
import type { PduJson } from "../../api";
import type { StateEntry } from "../../storage";
import type { RoomserverContext } from "../context";
import { protocolPdu } from "../protocol-view";
import { lookupEntry } from "../state";
import type { ParsedEvent } from "./parse";

/** `rule` is protocol's rule id, or `auth_events.rejected` from here. */
export type AuthOutcome = { allowed: true } | { allowed: false; rule: string; reason: string };

function check(ctx: RoomserverContext, ev: ParsedEvent, authEvents: readonly PduJson[]): AuthOutcome {
  // Stored events' IDs are known: hashing them again would be the costliest part of the check.
  return checkEventAuthWithRules(ev.pdu, authEvents, ev.rules, { eventId: (e) => ctx.events.idOf(e) ?? computeEventId(e, ev.rules) });
}

/** v12 never lists the create event in auth_events; the rules still read it. */
function createEventId(ev: ParsedEvent): string | undefined {
  return ev.rules.eventFormat.roomIdFromCreateEvent && ev.type !== "m.room.create" ? `$${ev.roomId.slice(1)}` : undefined;
}

/** Check against the events named in `auth_events`. A rejected one rejects the event; a missing one is M_BAD_STATE. */
export async function authAgainstAuthEvents(ctx: RoomserverContext, ev: ParsedEvent): Promise<AuthOutcome> {
  const create = createEventId(ev);
  const ids = create ? [...ev.authEventIds, create] : ev.authEventIds;
  const found = await ctx.events.byIds(ids);
  for (const id of ids) {
    const a = found.get(id);
    // Not a verdict: whoever sent it can fetch the auth chain and try again (nothing is stored).
    if (!a) throw new MatrixError("M_BAD_STATE", `auth event ${id} is not known here`);
    if (a.rejected) return { allowed: false, rule: "auth_events.rejected", reason: `auth_events.rejected: auth event ${id} was rejected` };
  }
  return check(ctx, ev, ids.map((id) => protocolPdu(found.get(id)!, ev.rules)));
}

/** Check against a room state (state before the event, or the current state). */
export async function authAgainstState(ctx: RoomserverContext, ev: ParsedEvent, entries: readonly StateEntry[]): Promise<AuthOutcome> {
  return check(ctx, ev, await selectAuthEvents(ctx, ev.pdu, ev.rules, entries));
}

/** The state events the auth rules read for `pdu`, picked from `entries` (v12: the create event too). */
export async function selectAuthEvents(
  ctx: RoomserverContext,
  pdu: PduJson,
  rules: ParsedEvent["rules"],
  entries: readonly StateEntry[],
): Promise<PduJson[]> {
  const wanted = authEventStateKeys(pdu, rules);
  if (!rules.eventFormat.createEventInAuthEvents && pdu.type !== "m.room.create") wanted.push(["m.room.create", ""]);
  const nids = await eventNidsForKeys(ctx, entries, wanted);
  const byNid = await ctx.events.byNids(nids);
  return nids.flatMap((n) => {
    const e = byNid.get(n);
    return e ? [protocolPdu(e, rules)] : [];
  });
}

/** Event NIDs in sorted `entries` for the (type, state_key) pairs; absent pairs are skipped. */
export async function eventNidsForKeys(
  ctx: RoomserverContext,
  entries: readonly StateEntry[],
  keys: readonly (readonly [string, string])[],
): Promise<number[]> {
  const typeNids = await ctx.store.eventTypeNids(keys.map(([t]) => t));
  const keyNids = await ctx.store.stateKeyNids(keys.map(([, k]) => k));
  const out: number[] = [];
  for (const [t, k] of keys) {
    const tn = typeNids.get(t);
    const kn = keyNids.get(k);
    if (tn === undefined || kn === undefined) continue;
    const nid = lookupEntry(entries, tn, kn)?.eventNid;
    if (nid !== undefined && !out.includes(nid)) out.push(nid);
  }
  return out;
}
