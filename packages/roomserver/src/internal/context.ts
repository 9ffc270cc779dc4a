/** What the roomserver's internals share: storage, loaders and who we are. */
import { KeyedQueues, type Logger } from "@dendrite-ts/runtime";
import type { SigningKey } from "@dendrite-ts/protocol";
import type { OutboxRow, RoomserverStore } from "../storage";
import { createEventLoader, type EventLoader } from "./events";
import { createStateHelpers, type StateHelpers } from "./state";

export interface RoomserverContext {
  readonly store: RoomserverStore;
  readonly events: EventLoader;
  readonly state: StateHelpers;
  readonly serverName: string;
  readonly signingKey: SigningKey;
  readonly logger: Logger;
  /** The room version for rooms we create when the caller names none. */
  readonly defaultRoomVersion: string;
  /** Events this roomserver built (by object identity) → their IDs and canonical JSON: see parseEvent's `builtHere`. */
  readonly builtEvents: WeakMap<object, BuiltHere>;
  /** Where committed outbox rows go to be published (the output relay). */
  readonly outputs: { committed(rows: readonly OutboxRow[]): void };
  /**
   * Writes of one alias, one at a time: a createRoom naming an alias checks it is free and takes
   * it only after the room exists, so two of them at once must not both pass the check.
   */
  readonly aliasWrites: KeyedQueues;
}

/** What protocol's buildEvent already computed for an event we built. */
export interface BuiltHere {
  readonly eventId: string;
  readonly canonical: string;
}

export function createContext(
  opts: Omit<RoomserverContext, "events" | "state" | "builtEvents" | "aliasWrites"> & { eventCacheEntries?: number | undefined },
): RoomserverContext {
  const { eventCacheEntries, ...shared } = opts;
  const events = createEventLoader(opts.store, eventCacheEntries);
  return { ...shared, events, state: createStateHelpers(opts.store, events), builtEvents: new WeakMap(), aliasWrites: new KeyedQueues() };
}

/** The server part of a user ID (or any sigil-ID with a server part). */
export function serverOf(id: string): string {
  const i = id.indexOf(":");
  return i < 0 ? "" : id.slice(i + 1);
}
