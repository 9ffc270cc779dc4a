/**
 * State queries: current state by (type, state_key) with wildcards, the state after events,
 * what a new event needs (latest events, depth, state). Rejected events never show; redacted
 * ones come in their redacted form, the state queries giving their redactions alongside.
 */
import type { PduJson, StateKeyTuple } from "../../api";
import type { RoomInfo, StateEntry } from "../../storage";
import { getRoomVersion, redactEvent } from "@dendrite-ts/protocol";
import type { RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { findKey, lookupEntry } from "../state";

/** Entries matching the tuples ("*" as state key matches every key of the type). */
export async function filterEntries(ctx: RoomserverContext, entries: readonly StateEntry[], tuples: readonly StateKeyTuple[] | undefined): Promise<StateEntry[]> {
  if (tuples === undefined) return [...entries];
  const typeNids = await ctx.store.eventTypeNids(tuples.map((t) => t.type));
  const keyNids = await ctx.store.stateKeyNids(tuples.filter((t) => t.stateKey !== "*").map((t) => t.stateKey));
  // Entries are sorted by key: binary searches, not a scan of a 30,000-member room's state.
  const picked = new Set<StateEntry>();
  for (const t of tuples) {
    const tn = typeNids.get(t.type);
    if (tn === undefined) continue;
    if (t.stateKey === "*") {
      const i = findKey(entries, tn, 0);
      for (let j = i >= 0 ? i : -i - 1; j < entries.length && entries[j]!.typeNid === tn; j++) picked.add(entries[j]!);
    } else {
      const kn = keyNids.get(t.stateKey);
      const e = kn === undefined ? undefined : lookupEntry(entries, tn, kn);
      if (e) picked.add(e);
    }
  }
  return [...picked].sort((a, b) => a.typeNid - b.typeNid || a.stateKeyNid - b.stateKeyNid);
}

// Room versions never change: remembered per room NID for serving redacted events.
const versions = new Map<number, string>();

/** The event as we serve it: in its redacted form once a validated redaction hit it. */
export async function servable(ctx: RoomserverContext, ev: StoredEvent): Promise<PduJson> {
  if (ev.redactedBy === null) return ev.pdu;
  let version = versions.get(ev.roomNid);
  if (version === undefined) {
    version = (await ctx.store.roomInfoByNid(ev.roomNid))?.roomVersion ?? "1";
    versions.set(ev.roomNid, version);
  }
  return redactEvent(ev.pdu, version) as PduJson;
}

/** The entries' events in entry order, rejected ones left out. */
async function storedOf(ctx: RoomserverContext, entries: readonly StateEntry[]): Promise<StoredEvent[]> {
  const evs = await ctx.events.byNids(entries.map((e) => e.eventNid));
  const out: StoredEvent[] = [];
  for (const e of entries) {
    const ev = evs.get(e.eventNid);
    if (ev && !ev.rejected) out.push(ev);
  }
  return out;
}

export async function pdusOf(ctx: RoomserverContext, entries: readonly StateEntry[]): Promise<PduJson[]> {
  const out: PduJson[] = [];
  for (const ev of await storedOf(ctx, entries)) out.push(await servable(ctx, ev));
  return out;
}

/**
 * Redacted event ID → the redaction that did it, as we serve it (client-server API,
 * "Redactions": clients get it in unsigned.redacted_because). One batched load, and only when
 * one of `events` is redacted; undefined when none is.
 */
async function redactedBecauseOf(ctx: RoomserverContext, events: readonly StoredEvent[]): Promise<Record<string, PduJson> | undefined> {
  const redacted = events.filter((e): e is StoredEvent & { redactedBy: string } => e.redactedBy !== null);
  if (redacted.length === 0) return undefined;
  const redactions = await ctx.events.byIds(redacted.map((e) => e.redactedBy));
  const out: Record<string, PduJson> = {};
  for (const e of redacted) {
    const r = redactions.get(e.redactedBy);
    if (r && !r.rejected) out[e.id] = await servable(ctx, r);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * State event ID → the event it replaced: the one at its key in the state before it (not the
 * previous current state, which a fork could make another). One batched lookup of the entries
 * and one load of the events; undefined when none replaced anything.
 */
async function replacedOf(ctx: RoomserverContext, events: readonly StoredEvent[]): Promise<Record<string, PduJson> | undefined> {
  const asked = events.filter((e): e is StoredEvent & { stateKeyNid: number } => e.stateKeyNid !== null && e.stateSnapshotNid !== 0);
  if (asked.length === 0) return undefined;
  const entries = await ctx.store.entriesAt(asked.map((e) => ({ stateSnapshotNid: e.stateSnapshotNid, typeNid: e.typeNid, stateKeyNid: e.stateKeyNid })));
  const loaded = await ctx.events.byNids(entries.flatMap((en) => (en ? [en.eventNid] : [])));
  const out: Record<string, PduJson> = {};
  for (const [i, e] of asked.entries()) {
    const prev = entries[i] && loaded.get(entries[i].eventNid);
    if (prev && !prev.rejected) out[e.id] = await servable(ctx, prev);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A state query's answer: the events, the redactions of those that are redacted, and what they replaced when asked. */
async function stateAnswerOf(
  ctx: RoomserverContext,
  entries: readonly StateEntry[],
  withReplaced = false,
): Promise<{ stateEvents: PduJson[]; redactedBecause?: Record<string, PduJson>; replaced?: Record<string, PduJson> }> {
  const stored = await storedOf(ctx, entries);
  const stateEvents = await Promise.all(stored.map((ev) => servable(ctx, ev)));
  const [redactedBecause, replaced] = await Promise.all([redactedBecauseOf(ctx, stored), withReplaced ? replacedOf(ctx, stored) : undefined]);
  return { stateEvents, ...(redactedBecause ? { redactedBecause } : {}), ...(replaced ? { replaced } : {}) };
}

export async function currentStateEvent(ctx: RoomserverContext, room: RoomInfo, type: string, stateKey: string): Promise<PduJson | undefined> {
  const entries = await filterEntries(ctx, await ctx.store.loadState(room.stateSnapshotNid), [{ type, stateKey }]);
  return (await pdusOf(ctx, entries))[0];
}

export async function queryCurrentState(ctx: RoomserverContext, roomId: string, tuples: readonly StateKeyTuple[], withReplaced?: boolean) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room || room.stateSnapshotNid === 0) return { roomExists: false, stateEvents: [] };
  const entries = await filterEntries(ctx, await ctx.store.loadState(room.stateSnapshotNid), tuples);
  return { roomExists: true, ...(await stateAnswerOf(ctx, entries, withReplaced)) };
}

export async function queryLatestEventsAndState(ctx: RoomserverContext, roomId: string, tuples: readonly StateKeyTuple[]) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room || room.stateSnapshotNid === 0) return { roomExists: false, latestEventIds: [], depth: 0, stateEvents: [] };
  const latest = [...(await ctx.events.byNids(room.latestEventNids)).values()];
  const entries = await filterEntries(ctx, await ctx.store.loadState(room.stateSnapshotNid), tuples);
  return {
    roomExists: true,
    roomVersion: room.roomVersion,
    latestEventIds: latest.map((e) => e.id),
    /** The depth a new event on top of the latest events takes. */
    depth: Math.max(0, ...latest.map((e) => e.depth)) + 1,
    stateEvents: await pdusOf(ctx, entries),
  };
}

export async function queryStateAfterEvents(ctx: RoomserverContext, roomId: string, prevEventIds: readonly string[], tuples: readonly StateKeyTuple[] | undefined, withReplaced?: boolean) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room) return { roomExists: false, prevEventsExist: false, stateEvents: [] };
  const prevs = await ctx.events.byIds(prevEventIds);
  const usable = [...prevs.values()].filter((e) => e.roomNid === room.roomNid && !e.outlier);
  if (usable.length !== new Set(prevEventIds).size) return { roomExists: true, prevEventsExist: false, stateEvents: [] };
  const state = await ctx.state.stateAfterAll(room.roomVersion, usable);
  return { roomExists: true, prevEventsExist: true, ...(await stateAnswerOf(ctx, await filterEntries(ctx, state.entries, tuples), withReplaced)) };
}

export async function queryEventsById(ctx: RoomserverContext, eventIds: readonly string[]) {
  const found = await ctx.events.byIds(eventIds);
  const events: PduJson[] = [];
  for (const id of eventIds) {
    const ev = found.get(id);
    if (ev && !ev.rejected) events.push(await servable(ctx, ev));
  }
  return { events };
}

export async function queryAuthChain(ctx: RoomserverContext, eventIds: readonly string[]) {
  const nids = [...(await ctx.store.eventNidsByIds(eventIds)).values()];
  const chain = await ctx.events.byNids(await ctx.store.authChainNids(nids));
  // v12 events never list the create event (the room ID implies it), but a peer checking the
  // chain needs it: add each room's create event.
  const asked = await ctx.events.byNids(nids);
  const creates = [...new Set([...asked.values()].map((e) => e.roomNid))];
  for (const roomNid of creates) {
    const room = await ctx.store.roomInfoByNid(roomNid);
    if (!room || !getRoomVersion(room.roomVersion)?.eventFormat.roomIdFromCreateEvent) continue;
    const createId = `$${room.roomId.slice(1)}`;
    const create = (await ctx.events.byIds([createId])).get(createId);
    if (create && !eventIds.includes(createId)) chain.set(create.nid, create);
  }
  const ordered = [...chain.values()].sort((a, b) => a.depth - b.depth || a.nid - b.nid);
  const events: PduJson[] = [];
  for (const ev of ordered) events.push(await servable(ctx, ev));
  return { events };
}
