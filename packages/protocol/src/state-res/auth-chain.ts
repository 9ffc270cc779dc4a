/**
 * Auth chains: the events reachable from an event by following `auth_events`, not counting
 * the event itself. Computed as multi-source walks over the numeric graph, so the union of
 * many chains costs one pass instead of one pass per event.
 */
import type { EventGraph } from "./event-graph";

/**
 * Sets `mark[x] = value` for every x in the union of the auth chains of `starts`. Walking
 * stops at events already carrying `value` and at events with `stop[x] === 1` (their chain
 * is known to be covered elsewhere).
 */
export function markAuthChains(
  graph: EventGraph,
  starts: Iterable<number>,
  mark: Uint8Array,
  value: number,
  stop?: Uint8Array,
): void {
  const stack: number[] = [];
  for (const s of starts) for (const a of graph.authOf[s] as readonly number[]) stack.push(a);
  while (stack.length > 0) {
    const x = stack.pop() as number;
    if (mark[x] === value || (stop !== undefined && stop[x] === 1)) continue;
    mark[x] = value;
    for (const a of graph.authOf[x] as readonly number[]) if (mark[a] !== value) stack.push(a);
  }
}

/** The auth chain of one event, as indices (for tests and callers that want it spelled out). */
export function authChainOf(graph: EventGraph, idx: number): number[] {
  const mark = new Uint8Array(graph.ids.length);
  markAuthChains(graph, [idx], mark, 1);
  const out: number[] = [];
  for (let i = 0; i < mark.length; i++) if (mark[i] === 1) out.push(i);
  return out;
}
