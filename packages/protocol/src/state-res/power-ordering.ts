/**
 * Power events and the reverse topological power ordering (v2 / v2.1 definitions).
 */
import { userPowerLevel } from "./auth-deps";
import { eventType, membershipOf, originServerTs, senderOf, stateKeyOf, type Pdu } from "./event-access";
import type { EventGraph } from "./event-graph";
import { MinHeap } from "./heap";

/**
 * Power levels, join rules, and leave/ban memberships whose sender is not their subject:
 * the events that can take an ability away.
 */
export function isPowerEvent(ev: Pdu): boolean {
  const sk = stateKeyOf(ev);
  if (sk === undefined) return false;
  switch (eventType(ev)) {
    case "m.room.power_levels":
    case "m.room.join_rules":
      return sk === "";
    case "m.room.member": {
      const m = membershipOf(ev);
      return (m === "leave" || m === "ban") && senderOf(ev) !== sk;
    }
    default:
      return false;
  }
}

/** Finds the auth event of `type` with an empty state key among `idx`'s own auth events. */
export function authEventOfType(graph: EventGraph, idx: number, type: string): number | undefined {
  for (const a of graph.authOf[idx] as readonly number[]) {
    const ev = graph.events[a] as Pdu;
    if (eventType(ev) === type && stateKeyOf(ev) === "") return a;
  }
  return undefined;
}

/** The create event that authorises `idx`: listed in its auth events, or implied by the room ID (v12). */
export function createEventFor(graph: EventGraph, idx: number): number | undefined {
  if (graph.impliedCreate >= 0) return graph.impliedCreate;
  return authEventOfType(graph, idx, "m.room.create");
}

/**
 * The sender's power level "when looking at their respective auth_events": the power levels
 * and create events the event itself cites. Memoised in `cache` (NaN = not yet computed).
 */
export function senderPowerLevel(graph: EventGraph, idx: number, cache: Float64Array): number {
  const known = cache[idx] as number;
  if (!Number.isNaN(known)) return known;
  const ev = graph.events[idx] as Pdu;
  const pl = authEventOfType(graph, idx, "m.room.power_levels");
  const create = createEventFor(graph, idx);
  const level = userPowerLevel(
    senderOf(ev),
    pl === undefined ? undefined : graph.events[pl],
    create === undefined ? undefined : graph.events[create],
    graph.rules.authorization,
  );
  cache[idx] = level;
  return level;
}

export function newPowerLevelCache(graph: EventGraph): Float64Array {
  return new Float64Array(graph.ids.length).fill(Number.NaN);
}

/**
 * Kahn's algorithm over the auth DAG restricted to `nodes`, earliest first, always taking the
 * smallest candidate: higher sender power level, then lower `origin_server_ts`, then lower
 * event ID.
 */
export function reverseTopologicalPowerOrdering(
  graph: EventGraph,
  nodes: readonly number[],
  plCache: Float64Array,
): number[] {
  const n = graph.ids.length;
  const inSet = new Uint8Array(n);
  for (const x of nodes) inSet[x] = 1;
  // pending[x] = auth events of x inside the set not yet emitted; dependents = reverse edges.
  const pending = new Int32Array(n);
  const dependents = new Map<number, number[]>();
  for (const x of nodes) {
    for (const a of graph.authOf[x] as readonly number[]) {
      if (inSet[a] !== 1) continue;
      pending[x] = (pending[x] as number) + 1;
      const list = dependents.get(a);
      if (list) list.push(x);
      else dependents.set(a, [x]);
    }
  }
  const power = new Map<number, number>();
  for (const x of nodes) power.set(x, senderPowerLevel(graph, x, plCache));
  const heap = new MinHeap((x, y) => {
    const px = power.get(x) as number;
    const py = power.get(y) as number;
    if (px !== py) return px > py;
    const tx = originServerTs(graph.events[x] as Pdu);
    const ty = originServerTs(graph.events[y] as Pdu);
    if (tx !== ty) return tx < ty;
    return (graph.ids[x] as string) < (graph.ids[y] as string);
  });
  for (const x of nodes) if (pending[x] === 0) heap.push(x);
  const out: number[] = [];
  while (heap.size > 0) {
    const x = heap.pop() as number;
    out.push(x);
    for (const d of dependents.get(x) ?? []) {
      pending[d] = (pending[d] as number) - 1;
      if (pending[d] === 0) heap.push(d);
    }
  }
  return out;
}
