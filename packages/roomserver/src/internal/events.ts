/**
 * Stored events as the roomserver's code sees them: the row plus the parsed PDU and its type
 * and state key as strings. Events are immutable once stored except for two changes the
 * roomserver itself makes (an outlier upgraded, a redaction applied), after which it calls
 * `forget`; so loaded events cache by NID and ID. The cache holds committed rows only: an event
 * just stored goes in with `remember` once its transaction committed.
 */
import type { PduJson } from "../api";
import type { EventRow, RoomserverStore } from "../storage";

export interface StoredEvent {
  readonly nid: number;
  readonly id: string;
  readonly roomNid: number;
  readonly typeNid: number;
  readonly stateKeyNid: number | null;
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly sender: string;
  readonly depth: number;
  readonly pdu: PduJson;
  readonly rejected: boolean;
  /** `<rule>: <message>` for a rejected event. */
  readonly rejectionReason: string | null;
  readonly softFailed: boolean;
  readonly outlier: boolean;
  /** State before the event. */
  readonly stateSnapshotNid: number;
  readonly prevEventIds: readonly string[];
  readonly redactedBy: string | null;
}

/** Events kept when the caller names no number (config `roomserver.event_cache_entries`). */
export const DEFAULT_EVENT_CACHE_ENTRIES = 10_000;

export interface EventLoader {
  byNids(nids: readonly number[]): Promise<Map<number, StoredEvent>>;
  byIds(ids: readonly string[]): Promise<Map<string, StoredEvent>>;
  /** The ID of a loaded event's PDU object (no hashing); undefined for PDUs not from here. */
  idOf(pdu: object): string | undefined;
  /** Adds an event just stored, as stored (call after its transaction committed). */
  remember(ev: StoredEvent): void;
  /** Drops events whose row just changed (call after the transaction committed). */
  forget(ids: readonly string[]): void;
  /** Drops every cached event of a purged room. */
  forgetRoom(roomNid: number): void;
}

export function createEventLoader(store: RoomserverStore, cacheEntries = DEFAULT_EVENT_CACHE_ENTRIES): EventLoader {
  const byNid = new Map<number, StoredEvent>();
  const nidById = new Map<string, number>();
  const idByPdu = new WeakMap<object, string>();

  function remember(events: readonly StoredEvent[]): void {
    for (const e of events) {
      byNid.delete(e.nid); // re-inserted below as the most recent
      if (byNid.size >= cacheEntries) {
        // Least recently used first: Map iteration order is insertion order, and a hit re-inserts.
        const oldest = byNid.values().next().value as StoredEvent;
        byNid.delete(oldest.nid);
        nidById.delete(oldest.id);
      }
      byNid.set(e.nid, e);
      nidById.set(e.id, e.nid);
      idByPdu.set(e.pdu, e.id);
    }
  }

  /** A hit moves to the most recent end, so a room's create and power-level events stay cached. */
  function touch(e: StoredEvent): StoredEvent {
    byNid.delete(e.nid);
    byNid.set(e.nid, e);
    return e;
  }

  async function toStored(rows: EventRow[]): Promise<StoredEvent[]> {
    const types = await store.eventTypesByNid(rows.map((r) => r.eventTypeNid));
    const keys = await store.stateKeysByNid(rows.flatMap((r) => (r.eventStateKeyNid === null ? [] : [r.eventStateKeyNid])));
    return rows.map((r) => {
      const pdu = Object.freeze(JSON.parse(r.json) as PduJson);
      return {
        nid: r.eventNid,
        id: r.eventId,
        roomNid: r.roomNid,
        typeNid: r.eventTypeNid,
        stateKeyNid: r.eventStateKeyNid,
        type: types.get(r.eventTypeNid) ?? "",
        stateKey: r.eventStateKeyNid === null ? undefined : keys.get(r.eventStateKeyNid),
        sender: r.sender,
        depth: r.depth,
        pdu,
        rejected: r.rejected,
        rejectionReason: r.rejectionReason,
        softFailed: r.softFailed,
        outlier: r.outlier,
        stateSnapshotNid: r.stateSnapshotNid,
        prevEventIds: r.prevEventIds,
        redactedBy: r.redactedBy,
      };
    });
  }

  return {
    async byNids(nids) {
      const out = new Map<number, StoredEvent>();
      const missing: number[] = [];
      for (const n of new Set(nids)) {
        const hit = byNid.get(n);
        if (hit) out.set(n, touch(hit));
        else missing.push(n);
      }
      if (missing.length > 0) {
        const loaded = await toStored(await store.eventsByNids(missing));
        remember(loaded);
        for (const e of loaded) out.set(e.nid, e);
      }
      return out;
    },
    async byIds(ids) {
      const out = new Map<string, StoredEvent>();
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const nid = nidById.get(id);
        const hit = nid === undefined ? undefined : byNid.get(nid);
        if (hit) out.set(id, touch(hit));
        else missing.push(id);
      }
      if (missing.length > 0) {
        const loaded = await toStored(await store.eventsByIds(missing));
        remember(loaded);
        for (const e of loaded) out.set(e.id, e);
      }
      return out;
    },
    idOf(pdu) {
      return idByPdu.get(pdu);
    },
    remember(ev) {
      remember([ev]);
    },
    forgetRoom(roomNid) {
      for (const e of [...byNid.values()]) {
        if (e.roomNid !== roomNid) continue;
        byNid.delete(e.nid);
        nidById.delete(e.id);
      }
    },
    forget(ids) {
      for (const id of ids) {
        const nid = nidById.get(id);
        nidById.delete(id);
        if (nid !== undefined) byNid.delete(nid);
      }
    },
  };
}
