/**
 * The iterative auth checks algorithm: apply each event, in order, to the state if the
 * authorization rules allow it against that state.
 */
import { authEventStateKeys, checkAuth } from "./auth-deps";
import { eventType, stateKeyOf, stateMapKey, stateMapKeyOf, type Pdu } from "./event-access";
import type { EventGraph } from "./event-graph";

/** State map key → event index. */
export type IndexedState = Map<string, number>;

/** What the checks read and write: a Map, or an overlay on one (see `overlayState`). */
export type StateView = Pick<IndexedState, "get" | "set">;

/** Writes go to `top`; reads fall back to `base`, so a 30,000-entry base is never copied. */
export function overlayState(top: IndexedState, base: ReadonlyMap<string, number>): StateView {
  return {
    get: (k) => top.get(k) ?? base.get(k),
    set(k, v) {
      top.set(k, v);
      return this as IndexedState;
    },
  };
}

const CREATE_KEY = stateMapKey("m.room.create", "");

/**
 * The auth events `idx` is checked against: for each key the auth rules need, the event the
 * partially resolved `state` holds, else the (non-rejected) one in the event's own
 * `auth_events`. In v12 the create event is implied by the room ID and supplied alongside.
 */
export function authEventsFor(graph: EventGraph, idx: number, state: Pick<StateView, "get">): Pdu[] {
  const ev = graph.events[idx] as Pdu;
  const own = new Map<string, number>();
  for (const a of graph.authOf[idx] as readonly number[]) {
    if (graph.rejected[a] === 1) continue;
    const key = stateMapKeyOf(graph.events[a] as Pdu);
    if (key !== undefined) own.set(key, a);
  }
  const chosen: Pdu[] = [];
  for (const [type, sk] of authEventStateKeys(ev, graph.rules)) {
    const key = stateMapKey(type, sk);
    const a = state.get(key) ?? own.get(key);
    if (a !== undefined) chosen.push(graph.events[a] as Pdu);
  }
  if (graph.impliedCreate >= 0 && eventType(ev) !== "m.room.create") {
    chosen.push(graph.events[state.get(CREATE_KEY) ?? graph.impliedCreate] as Pdu);
  }
  return chosen;
}

/**
 * Runs the checks over `order`, updating `state` in place. A previously rejected event is
 * re-checked like any other (the spec only bars rejected events from serving as auth events).
 */
export function iterativeAuthChecks(graph: EventGraph, order: readonly number[], state: StateView): StateView {
  for (const idx of order) {
    const ev = graph.events[idx] as Pdu;
    const sk = stateKeyOf(ev);
    if (sk === undefined) continue;
    const verdict = checkAuth(graph, ev, authEventsFor(graph, idx, state));
    graph.onCheck?.(graph.ids[idx] as string, verdict.allowed ? undefined : verdict.reason);
    if (verdict.allowed) state.set(stateMapKey(eventType(ev), sk), idx);
  }
  return state;
}
