/**
 * Room state in terms of stored events: the state after an event, the state after several
 * (resolved with the room version's algorithm when they disagree), and the difference between
 * two states. Loading and storing is ours; deciding is protocol's `resolveState`.
 */
import { resolveState } from "@dendrite-ts/protocol";
import type { RoomserverStore, StateEntry } from "../storage";
import type { EventLoader, StoredEvent } from "./events";
import { protocolPdu } from "./protocol-view";

export interface StateAt {
  /** The snapshot, when one is already stored (saves a write). */
  readonly snapshotNid: number | undefined;
  readonly entries: readonly StateEntry[];
}

/** The event's own entry, if it is an accepted state event. */
export function ownEntry(ev: StoredEvent): StateEntry | undefined {
  if (ev.stateKeyNid === null || ev.rejected) return undefined;
  return { typeNid: ev.typeNid, stateKeyNid: ev.stateKeyNid, eventNid: ev.nid };
}

/** Index of the key in sorted `entries`, or -(insertion point) - 1 when absent. */
export function findKey(entries: readonly StateEntry[], typeNid: number, stateKeyNid: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    const c = e.typeNid - typeNid || e.stateKeyNid - stateKeyNid;
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** The entry for a key in sorted `entries`. */
export function lookupEntry(entries: readonly StateEntry[], typeNid: number, stateKeyNid: number): StateEntry | undefined {
  const i = findKey(entries, typeNid, stateKeyNid);
  return i >= 0 ? entries[i] : undefined;
}

/** Sorted `entries` with `entry` put in (replacing its key): one copy, no sort. */
export function withEntry(entries: readonly StateEntry[], entry: StateEntry | undefined): readonly StateEntry[] {
  if (!entry) return entries;
  const i = findKey(entries, entry.typeNid, entry.stateKeyNid);
  const out = entries.slice();
  if (i >= 0) out[i] = entry;
  else out.splice(-i - 1, 0, entry);
  return out;
}

export interface StateDiff {
  adds: StateEntry[];
  removes: StateEntry[];
}

/** What changes going from `before` to `after` (both sorted): one merge pass. */
export function diffState(before: readonly StateEntry[], after: readonly StateEntry[]): StateDiff {
  const adds: StateEntry[] = [];
  const removes: StateEntry[] = [];
  if (before === after) return { adds, removes };
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    const c = !b ? 1 : !a ? -1 : b.typeNid - a.typeNid || b.stateKeyNid - a.stateKeyNid;
    if (c < 0) {
      removes.push(b!);
      i++;
    } else if (c > 0) {
      adds.push(a!);
      j++;
    } else {
      if (a!.eventNid !== b!.eventNid) {
        removes.push(b!);
        adds.push(a!);
      }
      i++;
      j++;
    }
  }
  return { adds, removes };
}

export function createStateHelpers(store: RoomserverStore, events: EventLoader) {
  /** The state after `ev`: the state before it plus itself. */
  async function stateAfter(ev: StoredEvent): Promise<StateAt> {
    const own = ownEntry(ev);
    const before = await store.loadState(ev.stateSnapshotNid);
    return own ? { snapshotNid: undefined, entries: withEntry(before, own) } : { snapshotNid: ev.stateSnapshotNid, entries: before };
  }

  /** The state after all of `evs`: resolved if they disagree. Entries are sorted by key. */
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
        if (hit) return protocolPdu(hit, roomVersion);
        const loaded = (await events.byIds([id])).get(id);
        if (loaded) {
          byId.set(id, loaded);
          if (loaded.rejected) rejected.add(id);
        }
        return loaded && protocolPdu(loaded, roomVersion);
      },
      { isRejected: (id: string) => rejected.has(id) || byId.get(id)?.rejected === true },
    );
    const entries = resolved.flatMap((id) => {
      const ev = byId.get(id);
      return ev?.stateKeyNid != null ? [{ typeNid: ev.typeNid, stateKeyNid: ev.stateKeyNid, eventNid: ev.nid }] : [];
    });
    // Everything downstream (lookups, diffs) relies on key order.
    return entries.sort((a, b) => a.typeNid - b.typeNid || a.stateKeyNid - b.stateKeyNid);
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
  return a === b || a.length === b.length && a.every((e, i) => e.eventNid === b[i]!.eventNid && e.typeNid === b[i]!.typeNid && e.stateKeyNid === b[i]!.stateKeyNid);
}
