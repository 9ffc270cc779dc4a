/**
 * History visibility (client-server API, "Room History Visibility", server behaviour), judged
 * on the state at each event. For a user: world_readable; joined at the event; shared and
 * joined now (standing in for "joined at some point after"); invited at an `invited` event. For
 * a server (what it may fetch over federation): world_readable and shared always; invited and
 * joined when one of its users was invited or joined at the event. History visibility events
 * and a user's own member events count if the state before *or* after allows them.
 */
import type { RoomserverContext } from "../context";
import { serverOf } from "../context";
import type { StoredEvent } from "../events";
import { findKey, lookupEntry, ownEntry, withEntry } from "../state";
import type { StateEntry } from "../../storage";
import { pdusOf } from "./state";

export type Viewer = { userId: string } | { serverName: string };

async function historyVisibility(ctx: RoomserverContext, state: readonly StateEntry[], typeNid: number | undefined): Promise<string> {
  const keyNid = (await ctx.store.stateKeyNids([""])).get("");
  const entry = typeNid === undefined || keyNid === undefined ? undefined : lookupEntry(state, typeNid, keyNid);
  const [ev] = entry ? await pdusOf(ctx, [entry]) : [];
  const v = (ev?.content as { history_visibility?: unknown } | undefined)?.history_visibility;
  return v === "world_readable" || v === "joined" || v === "invited" || v === "shared" ? v : "shared";
}

/** Memberships at `state` of the viewer (one user, or every user of a server). */
async function membershipsAt(ctx: RoomserverContext, state: readonly StateEntry[], memberTypeNid: number | undefined, viewer: Viewer): Promise<string[]> {
  if (memberTypeNid === undefined) return [];
  let entries: StateEntry[];
  if ("userId" in viewer) {
    const nid = (await ctx.store.stateKeyNids([viewer.userId])).get(viewer.userId);
    const e = nid === undefined ? undefined : lookupEntry(state, memberTypeNid, nid);
    entries = e ? [e] : [];
  } else {
    entries = [];
    const i = findKey(state, memberTypeNid, 0);
    for (let j = i >= 0 ? i : -i - 1; j < state.length && state[j]!.typeNid === memberTypeNid; j++) entries.push(state[j]!);
    const keys = await ctx.store.stateKeysByNid(entries.map((e) => e.stateKeyNid));
    entries = entries.filter((e) => serverOf(keys.get(e.stateKeyNid) ?? "") === viewer.serverName);
  }
  return (await pdusOf(ctx, entries)).map((m) => String((m.content as { membership?: unknown }).membership));
}

async function allowedAt(ctx: RoomserverContext, state: readonly StateEntry[], viewer: Viewer, joinedNow: boolean): Promise<boolean> {
  const types = await ctx.store.eventTypeNids(["m.room.history_visibility", "m.room.member"]);
  const visibility = await historyVisibility(ctx, state, types.get("m.room.history_visibility"));
  if (visibility === "world_readable") return true;
  const memberships = await membershipsAt(ctx, state, types.get("m.room.member"), viewer);
  if (memberships.includes("join")) return true;
  if ("serverName" in viewer) return visibility === "shared" || (visibility === "invited" && memberships.includes("invite"));
  if (visibility === "shared" && joinedNow) return true;
  return visibility === "invited" && memberships.includes("invite");
}

async function visible(ctx: RoomserverContext, ev: StoredEvent, viewer: Viewer, joinedNow: boolean): Promise<boolean> {
  if (ev.rejected || ev.outlier) return false;
  const before = await ctx.store.loadState(ev.stateSnapshotNid);
  if (await allowedAt(ctx, before, viewer, joinedNow)) return true;
  const ownMember = ev.type === "m.room.member" && "userId" in viewer && ev.stateKey === viewer.userId;
  if (ev.type !== "m.room.history_visibility" && !ownMember) return false;
  return allowedAt(ctx, withEntry(before, ownEntry(ev)), viewer, joinedNow);
}

/** The subset of `eventIds` the viewer may see, in the order asked. */
export async function queryVisibleEvents(ctx: RoomserverContext, eventIds: readonly string[], viewer: Viewer) {
  const evs = await ctx.events.byIds(eventIds);
  const joinedNow = new Map<number, boolean>();
  const out: string[] = [];
  for (const id of eventIds) {
    const ev = evs.get(id);
    if (!ev) continue;
    if ("userId" in viewer && !joinedNow.has(ev.roomNid)) {
      const nid = (await ctx.store.stateKeyNids([viewer.userId])).get(viewer.userId);
      joinedNow.set(ev.roomNid, nid !== undefined && (await ctx.store.membership(ev.roomNid, nid))?.membership === "join");
    }
    if (await visible(ctx, ev, viewer, joinedNow.get(ev.roomNid) ?? false)) out.push(id);
  }
  return { visibleEventIds: out };
}
