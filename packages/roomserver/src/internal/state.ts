/**
 * Room state in terms of stored events: the state after an event, the state after several
 * (resolved with the room version's algorithm when they disagree), and the difference between
 * two states. Loading and storing is ours; deciding is protocol's `resolveState`.
 */
import { resolveState } from "@dendrite-ts/protocol";
import type { RoomserverStore, StateEntry } from "../storage";
import type { EventLoader, StoredEvent } from "./events";

export interface StateAt {
  /** The snapshot, when one is already stored (saves a write). */
  readonly snapshotNid: number | undefined;
  readonly entries: readonly StateEntry[];
}

const keyOf = (e: { typeNid: number; stateKeyNid: number }) => `${e.typeNid}/${e.stateKeyNid}`;

/** The event's own entry, if it is an accepted state event. */
export function ownEntry(ev: StoredEvent): StateEntry | undefined {
  if (ev.stateKeyNid === null || ev.rejected) return undefined;
  return { typeNid: ev.typeNid, stateKeyNid: ev.stateKeyNid, eventNid: ev.nid };
}

/** Entries with `entry` put in (replacing its key). Keeps key order. */
export function withEntry(entries: readonly StateEntry[], entry: StateEntry | undefined): StateEntry[] {
  if (!entry) return [...entries];
  const out = entries.filter((e) => keyOf(e) !== keyOf(entry));
  out.push(entry);
  return out.sort((a, b) => a.typeNid - b.typeNid || a.stateKeyNid - b.stateKeyNid);
}

export interface StateDiff {
  adds: StateEntry[];
  removes: StateEntry[];
}

/** What changes going from `before` to `after`. */
export function diffState(before: readonly StateEntry[], after: readonly StateEntry[]): StateDiff {
  const old = new Map(before.map((e) => [keyOf(e), e.eventNid]));
  const now = new Map(after.map((e) => [keyOf(e), e.eventNid]));
  return {
    adds: after.filter((e) => old.get(keyOf(e)) !== e.eventNid),
    removes: before.filter((e) => now.get(keyOf(e)) !== e.eventNid),
  };
}

export function createStateHelpers(store: RoomserverStore, events: EventLoader) {
  /** The state after `ev`: the state before it plus itself. */
  async function stateAfter(ev: StoredEvent): Promise<StateAt> {
    const own = ownEntry(ev);
    const before = await store.loadState(ev.stateSnapshotNid);
    return own ? { snapshotNid: undefined, entries: withEntry(before, own) } : { snapshotNid: ev.stateSnapshotNid, entries: before };
  }

  /** The state after all of `evs`: resolved if they disagree. */
  async function stateAfterAll(roomVersion: string, evs: readonly StoredEvent[]): Promise<StateAt> {
    if (evs.length === 0) return { snapshotNid: 0, entries: [] };
    const sets = await Promise.all(evs.map(stateAfter));
    if (sets.length === 1 || sets.every((s) => sameState(s.entries, sets[0]!.entries))) return sets[0]!;
    return { snapshotNid: undefined, entries: await resolveSets(roomVersion, sets.map((s) => s.entries)) };
  }

  /** Resolves state sets; `extra` are events not stored yet (the one being input). */
  async function resolveSets(roomVersion: string, sets: readonly (readonly StateEntry[])[], extra: readonly StoredEvent[] = []): Promise<StateEntry[]> {
    const known = new Set(extra.map((e) => e.nid));
    const nids = [...new Set(sets.flatMap((s) => s.map((e) => e.eventNid)))].filter((n) => !known.has(n));
    const byNid = await events.byNids(nids);
    for (const e of extra) byNid.set(e.nid, e);
    const byId = new Map([...byNid.values()].map((e) => [e.id, e]));
    const idSets = sets.map((s) => s.map((e) => byNid.get(e.eventNid)?.id).filter((id): id is string => id !== undefined));
    const rejected = new Set<string>();
    const resolved = await resolveState(
      roomVersion,
      idSets,
      async (id) => {
        const hit = byId.get(id);
        if (hit) return hit.pdu;
        const loaded = (await events.byIds([id])).get(id);
        if (loaded) {
          byId.set(id, loaded);
          if (loaded.rejected) rejected.add(id);
        }
        return loaded?.pdu;
      },
      { isRejected: (id: string) => rejected.has(id) || byId.get(id)?.rejected === true },
    );
    return resolved.flatMap((id) => {
      const ev = byId.get(id);
      return ev?.stateKeyNid != null ? [{ typeNid: ev.typeNid, stateKeyNid: ev.stateKeyNid, eventNid: ev.nid }] : [];
    });
  }

  /** The events of `entries`, optionally only some keys. */
  async function eventsOf(entries: readonly StateEntry[]): Promise<StoredEvent[]> {
    const byNid = await events.byNids(entries.map((e) => e.eventNid));
    return entries.flatMap((e) => {
      const ev = byNid.get(e.eventNid);
      return ev ? [ev] : [];
    });
  }

  return { stateAfter, stateAfterAll, resolveSets, eventsOf };
}

export type StateHelpers = ReturnType<typeof createStateHelpers>;

function sameState(a: readonly StateEntry[], b: readonly StateEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.eventNid === b[i]!.eventNid && e.typeNid === b[i]!.typeNid && e.stateKeyNid === b[i]!.stateKeyNid);
}
