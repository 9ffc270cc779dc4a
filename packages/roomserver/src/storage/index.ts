/**
 * The roomserver's storage: one interface over the `roomserver` schema. Only this folder
 * imports drizzle. `transaction(fn)` hands `fn` the same interface bound to one transaction;
 * NIDs and state blocks are always written in autocommit (see nids.ts, state.ts).
 *
 * Rooms rows are cached: the roomserver is their only writer and updates the cache after each
 * commit (`rememberRoom`). Were a second writer to move a room anyway, the guarded commit
 * notices (RoomMovedError) and the room is re-read (`forgetRoom`).
 *
 * Prepared statements: postgres.js prepares every query (its `prepare: true` default) and
 * reuses it per connection; our queries keep values out of the SQL text so that reuse happens.
 */
import type { Database, Sql } from "@dendrite-ts/runtime";
import type { Executor } from "./db";
import { aliasQueries, type AliasQueries } from "./aliases";
import { eventQueries, type EventQueries } from "./events";
import { inviteQueries, type InviteQueries } from "./invites";
import { membershipQueries, type MembershipQueries } from "./memberships";
import { nidQueries, type NidQueries } from "./nids";
import { outboxQueries, type OutboxQueries } from "./outbox";
import { publishedQueries, type PublishedQueries } from "./published";
import { redactionQueries, type RedactionQueries } from "./redactions";
import { commitInOneStatement, type OneStatementCommit, type OneStatementCommitResult } from "./one-statement-commit";
import { roomQueries, type RoomInfo, type RoomQueries } from "./rooms";
import { roomVisibilityQueries, type RoomVisibilityQueries } from "./room-visibility";
import { sendTransactionQueries, type SendTransactionQueries } from "./send-transactions";
import { stateQueries, type StateQueries } from "./state";
import { userDirectoryQueries, type UserDirectoryQueries } from "./user-directory";

export type TxQueries = RoomQueries &
  EventQueries &
  MembershipQueries &
  InviteQueries &
  AliasQueries &
  RedactionQueries &
  OutboxQueries &
  PublishedQueries &
  SendTransactionQueries &
  RoomVisibilityQueries;

export interface RoomserverStore extends TxQueries, NidQueries, StateQueries, UserDirectoryQueries {
  /** Runs `fn` in one transaction; NID and state writes inside it still autocommit. */
  transaction<T>(fn: (tx: RoomserverStore) => Promise<T>): Promise<T>;
  /** An ordinary new event's whole commit as one statement (see one-statement-commit.ts). */
  commitInOneStatement(c: OneStatementCommit): Promise<OneStatementCommitResult>;
  /** The room's row is now `info` (call after the commit that wrote it). */
  rememberRoom(info: RoomInfo): void;
  /** Drop the cached row (the room moved under us, or was purged). */
  forgetRoom(roomNid: number): void;
}

const ROOM_CACHE_LIMIT = 10_000;
/** Event NIDs taken from the sequence per round trip. */
const EVENT_NID_BLOCK = 32;

/** `sql` is given outside a transaction only (for statements that must be their own). */
function txQueries(db: Executor, sql?: Sql): TxQueries {
  return {
    ...roomQueries(db),
    ...eventQueries(db),
    ...membershipQueries(db),
    ...inviteQueries(db),
    ...aliasQueries(db),
    ...redactionQueries(db),
    ...outboxQueries(db, sql),
    ...publishedQueries(db),
    ...sendTransactionQueries(db),
    ...roomVisibilityQueries(db),
  };
}

export function createRoomserverStore(database: Pick<Database, "drizzle" | "sql">): RoomserverStore {
  const db = database.drizzle as Executor;
  const nids = nidQueries(db);
  const state = stateQueries(db);
  const queries = txQueries(db, database.sql);

  const byId = new Map<string, RoomInfo>();
  const byNid = new Map<number, RoomInfo>();
  function rememberRoom(info: RoomInfo): void {
    if (byNid.size >= ROOM_CACHE_LIMIT && !byNid.has(info.roomNid)) {
      const oldest = byNid.values().next().value as RoomInfo;
      forgetRoom(oldest.roomNid);
    }
    const frozen = Object.freeze({ ...info, latestEventNids: Object.freeze([...info.latestEventNids]) as number[] });
    byId.set(info.roomId, frozen);
    byNid.set(info.roomNid, frozen);
  }
  function forgetRoom(roomNid: number): void {
    const hit = byNid.get(roomNid);
    byNid.delete(roomNid);
    if (hit) byId.delete(hit.roomId);
  }
  const cached = async (hit: RoomInfo | undefined, load: () => Promise<RoomInfo | undefined>) => {
    if (hit) return hit;
    const row = await load();
    // Rooms without state yet are mid-creation: cache them only once they have a snapshot.
    if (row && row.stateSnapshotNid !== 0) rememberRoom(row);
    return row;
  };

  // Event NIDs come from the sequence in blocks: one round trip per EVENT_NID_BLOCK events.
  let freeNids: number[] = [];
  let refill: Promise<void> | undefined;
  async function allocateEventNid(): Promise<number> {
    while (freeNids.length === 0) {
      refill ??= (async () => {
        try {
          const rows = await database.sql<{ nid: string }[]>`SELECT nextval('roomserver.events_event_nid_seq') AS nid FROM generate_series(1, ${EVENT_NID_BLOCK})`;
          freeNids = rows.map((r) => Number(r.nid)).sort((a, b) => a - b);
        } finally {
          refill = undefined;
        }
      })();
      await refill;
    }
    return freeNids.shift()!;
  }

  const store: RoomserverStore = {
    ...queries,
    ...nids,
    ...state,
    ...userDirectoryQueries(db),
    roomInfo: (roomId) => cached(byId.get(roomId), () => queries.roomInfo(roomId)),
    roomInfoByNid: (roomNid) => cached(byNid.get(roomNid), () => queries.roomInfoByNid(roomNid)),
    allocateEventNid,
    commitInOneStatement: (c) => commitInOneStatement(database.sql, c),
    rememberRoom,
    forgetRoom,
    transaction: (fn) =>
      db.transaction((tx) => {
        // A nested call joins the open transaction rather than escaping it.
        const txStore: RoomserverStore = {
          ...txQueries(tx),
          ...nids,
          ...state,
          ...userDirectoryQueries(tx),
          allocateEventNid,
          commitInOneStatement: () => Promise.reject(new Error("commitInOneStatement opens its own transaction")),
          rememberRoom,
          forgetRoom,
          transaction: (f) => f(txStore),
        };
        return fn(txStore);
      }),
  };
  return store;
}

export { roomserverMigrations, ROOMSERVER_SCHEMA, type Migration } from "./migrations";
export type { Executor } from "./db";
export type { StateEntry } from "./state-entries";
export type { EventRow, NewEventRow } from "./events";
export type { MembershipRow } from "./memberships";
export type { InviteRow } from "./invites";
export type { SendTransactionKey } from "./send-transactions";
export type { RoomInfo } from "./rooms";
export type { RoomVisibilityChange } from "./room-visibility";
export type { OutboxRow } from "./outbox";
export type { OneStatementCommit, OneStatementCommitResult } from "./one-statement-commit";
