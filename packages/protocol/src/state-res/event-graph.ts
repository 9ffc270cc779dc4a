/**
 * The preloaded auth graph state resolution runs over: every event of the state sets and of
 * their auth chains, interned to dense numeric indices so later passes use arrays and typed
 * arrays instead of string-keyed maps.
 */
import type { RoomVersionRules } from "../room-versions";
import { authEventIdsOf, createEventIdFromRoomId, eventType, roomIdOf, stateKeyOf, type Pdu } from "./event-access";

export type GetEvent = (eventId: string) => object | undefined;

export interface EventGraph {
  readonly rules: RoomVersionRules;
  /** idx → event ID. */
  readonly ids: readonly string[];
  /** idx → event. */
  readonly events: readonly Pdu[];
  /** idx → indices of its `auth_events` that could be loaded. */
  readonly authOf: readonly (readonly number[])[];
  readonly index: ReadonlyMap<string, number>;
  /** idx → 1 if the event was rejected (it must not serve as an auth event). */
  readonly rejected: Uint8Array;
  /**
   * The room's create event when it is implied by the room ID (v12), else -1. Earlier
   * versions list it in each event's `auth_events`.
   */
  readonly impliedCreate: number;
  /** event object → idx, so callbacks handed only the object can name it. */
  readonly objectIndex: { get(ev: object): number | undefined };
  /** Told the outcome of every auth check (undefined reason = allowed); for tests and logs. */
  readonly onCheck?: ((eventId: string, rejectedReason: string | undefined) => void) | undefined;
}

export interface GraphOptions {
  readonly isRejected?: ((eventId: string) => boolean) | undefined;
  readonly onCheck?: ((eventId: string, rejectedReason: string | undefined) => void) | undefined;
}

export class MissingEventError extends Error {
  constructor(readonly eventId: string) {
    super(`state resolution: event ${eventId} is not available`);
    this.name = "MissingEventError";
  }
}

/**
 * Walks `auth_events` from `roots`, loading through `getEvent`. A missing root is an error
 * (its state key is unknowable); a missing auth event is left out of the graph, as other
 * servers do, since it cannot be ordered or used for auth anyway.
 */
export function buildEventGraph(
  rules: RoomVersionRules,
  roots: Iterable<string>,
  getEvent: GetEvent,
  options: GraphOptions = {},
): EventGraph {
  const { isRejected, onCheck } = options;
  const ids: string[] = [];
  const events: Pdu[] = [];
  const index = new Map<string, number>();
  const pendingAuth: string[][] = [];

  const add = (id: string, ev: Pdu): number => {
    const idx = ids.length;
    ids.push(id);
    events.push(ev);
    index.set(id, idx);
    pendingAuth.push(authEventIdsOf(ev));
    return idx;
  };

  for (const id of roots) {
    if (index.has(id)) continue;
    const ev = getEvent(id) as Pdu | undefined;
    if (ev === undefined) throw new MissingEventError(id);
    add(id, ev);
  }

  let impliedCreate = -1;
  if (!rules.eventFormat.createEventInAuthEvents && events.length > 0) {
    // The create event itself has no room_id in v12, so take the first event that has one.
    const roomId = events.map(roomIdOf).find((r) => r !== undefined) ?? "";
    const createId = createEventIdFromRoomId(roomId);
    if (createId !== undefined) {
      const known = index.get(createId);
      if (known !== undefined) impliedCreate = known;
      else {
        const ev = getEvent(createId) as Pdu | undefined;
        if (ev !== undefined && eventType(ev) === "m.room.create" && stateKeyOf(ev) === "") {
          impliedCreate = add(createId, ev);
        }
      }
    }
  }

  // Breadth-first over auth_events; `events` grows as we go, so this loop is the queue.
  const authOf: number[][] = [];
  for (let i = 0; i < events.length; i++) {
    const refs = pendingAuth[i] as string[];
    const edges: number[] = [];
    for (const aid of refs) {
      let a = index.get(aid);
      if (a === undefined) {
        const ev = getEvent(aid) as Pdu | undefined;
        if (ev === undefined) continue;
        a = add(aid, ev);
      }
      if (!edges.includes(a)) edges.push(a);
    }
    authOf.push(edges);
  }

  const rejected = new Uint8Array(ids.length);
  if (isRejected) for (let i = 0; i < ids.length; i++) if (isRejected(ids[i] as string)) rejected[i] = 1;

  // Only the few events that reach an auth check are ever looked up by object: build on demand.
  let byObject: Map<object, number> | undefined;
  const objectIndex = {
    get(ev: object): number | undefined {
      if (byObject === undefined) {
        byObject = new Map();
        events.forEach((e, i) => byObject?.set(e, i));
      }
      return byObject.get(ev);
    },
  };
  return { rules, ids, events, authOf, index, rejected, impliedCreate, objectIndex, onCheck };
}

/** Loads every event `buildEventGraph` will ask for, batching when `loadEvent` is async. */
export async function preloadEvents(
  rules: RoomVersionRules,
  roots: Iterable<string>,
  loadEvent: (eventId: string) => object | undefined | Promise<object | undefined>,
): Promise<Map<string, object>> {
  const loaded = new Map<string, object>();
  const seen = new Set<string>();
  let frontier: string[] = [];
  for (const id of roots) if (!seen.has(id)) (seen.add(id), frontier.push(id));
  let createSought = rules.eventFormat.createEventInAuthEvents;

  while (frontier.length > 0) {
    const results = frontier.map((id) => loadEvent(id));
    const settled = results.some(isPromise) ? await Promise.all(results) : (results as (object | undefined)[]);
    const next: string[] = [];
    const visit = (id: string) => {
      if (!seen.has(id)) (seen.add(id), next.push(id));
    };
    for (let i = 0; i < frontier.length; i++) {
      const ev = settled[i] as Pdu | undefined;
      if (ev === undefined) continue;
      loaded.set(frontier[i] as string, ev);
      for (const aid of authEventIdsOf(ev)) visit(aid);
      const roomId = createSought ? undefined : roomIdOf(ev);
      if (roomId !== undefined) {
        // Same choice as buildEventGraph: the first loaded event that has a room ID.
        createSought = true;
        const createId = createEventIdFromRoomId(roomId);
        if (createId !== undefined) visit(createId);
      }
    }
    frontier = next;
  }
  return loaded;
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof (x as { then?: unknown } | undefined)?.then === "function";
}
