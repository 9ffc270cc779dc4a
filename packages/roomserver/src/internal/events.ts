/**
 * Stored events as the roomserver's code sees them: the row plus the parsed PDU and its type
 * and state key as strings. Events never change once stored (only flags do, and flags are
 * re-read from the row), so parsed PDUs cache by NID.
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
  readonly softFailed: boolean;
  readonly outlier: boolean;
  /** State before the event. */
  readonly stateSnapshotNid: number;
  readonly prevEventIds: readonly string[];
  readonly redactedBy: string | null;
}

const PDU_CACHE_LIMIT = 50_000;

export interface EventLoader {
  byNids(nids: readonly number[]): Promise<Map<number, StoredEvent>>;
  byIds(ids: readonly string[]): Promise<Map<string, StoredEvent>>;
}

export function createEventLoader(store: RoomserverStore): EventLoader {
  const pduCache = new Map<number, PduJson>();

  async function toStored(rows: EventRow[]): Promise<StoredEvent[]> {
    const types = await store.eventTypesByNid(rows.map((r) => r.eventTypeNid));
    const keys = await store.stateKeysByNid(rows.flatMap((r) => (r.eventStateKeyNid === null ? [] : [r.eventStateKeyNid])));
    return rows.map((r) => {
      let pdu = pduCache.get(r.eventNid);
      if (!pdu) {
        pdu = Object.freeze(JSON.parse(r.json) as PduJson);
        if (pduCache.size >= PDU_CACHE_LIMIT) pduCache.clear();
        pduCache.set(r.eventNid, pdu);
      }
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
      const rows = await store.eventsByNids([...new Set(nids)]);
      return new Map((await toStored(rows)).map((e) => [e.nid, e]));
    },
    async byIds(ids) {
      const rows = await store.eventsByIds([...new Set(ids)]);
      return new Map((await toStored(rows)).map((e) => [e.id, e]));
    },
  };
}
