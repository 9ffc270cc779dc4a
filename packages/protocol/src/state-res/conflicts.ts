/**
 * Splitting state sets into the unconflicted state map and the conflicted state set, and
 * growing the latter into the full conflicted set (auth difference; in v2.1 also the
 * conflicted state subgraph).
 */
import { markAuthChains } from "./auth-chain";
import type { EventGraph } from "./event-graph";
import { stateMapKeyOf, type Pdu } from "./event-access";

export interface SeparatedState {
  /** State map key → event index, for keys every set agrees on. */
  readonly unconflicted: Map<string, number>;
  /** Every event of a conflicted key, each once, in first-seen order. */
  readonly conflicted: number[];
  /** State map key → its competing events (v1 resolves key by key). */
  readonly conflictedByKey: Map<string, number[]>;
}

/** One state set as a state map: key → event index. Message events are ignored. */
export function toStateMap(graph: EventGraph, set: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const id of set) {
    const idx = graph.index.get(id);
    if (idx === undefined) continue;
    const key = stateMapKeyOf(graph.events[idx] as Pdu);
    if (key !== undefined) map.set(key, idx);
  }
  return map;
}

/**
 * v2: a key is unconflicted when it is present in *every* set with the same event.
 * v1 (`missingIsConflict: false`): a conflict is only "different event IDs for the same key",
 * so a key some sets lack is unconflicted.
 */
export function separate(maps: readonly Map<string, number>[], missingIsConflict: boolean): SeparatedState {
  const unconflicted = new Map<string, number>();
  const conflictedByKey = new Map<string, number[]>();
  const keys = new Set<string>();
  for (const m of maps) for (const k of m.keys()) keys.add(k);
  for (const key of keys) {
    const values: number[] = [];
    let missing = false;
    for (const m of maps) {
      const v = m.get(key);
      if (v === undefined) missing = true;
      else if (!values.includes(v)) values.push(v);
    }
    if (values.length === 1 && !(missing && missingIsConflict)) unconflicted.set(key, values[0] as number);
    else conflictedByKey.set(key, values);
  }
  const conflicted: number[] = [];
  for (const vs of conflictedByKey.values()) for (const v of vs) conflicted.push(v);
  return { unconflicted, conflicted: [...new Set(conflicted)], conflictedByKey };
}

/**
 * ∪Cᵢ − ∩Cᵢ where Cᵢ is the union of the auth chains of the events of set i. Chains below
 * unconflicted events lie in every Cᵢ, so they are marked once and never walked per set.
 */
export function authDifference(
  graph: EventGraph,
  maps: readonly Map<string, number>[],
  unconflicted: ReadonlyMap<string, number>,
): number[] {
  const n = graph.ids.length;
  const common = new Uint8Array(n);
  markAuthChains(graph, unconflicted.values(), common, 1);
  const count = new Uint32Array(n);
  const seen = new Int32Array(n); // generation marks: set i writes i + 1, so no clearing
  const touched: number[] = [];
  maps.forEach((m, i) => {
    const gen = i + 1;
    const stack: number[] = [];
    for (const [key, idx] of m) {
      if (unconflicted.get(key) === idx) continue;
      for (const a of graph.authOf[idx] as readonly number[]) stack.push(a);
    }
    while (stack.length > 0) {
      const x = stack.pop() as number;
      if (seen[x] === gen || common[x] === 1) continue;
      seen[x] = gen;
      if (count[x] === 0) touched.push(x);
      count[x] = (count[x] as number) + 1;
      for (const a of graph.authOf[x] as readonly number[]) if (seen[a] !== gen) stack.push(a);
    }
  });
  return touched.filter((x) => (count[x] as number) < maps.length);
}

/**
 * v2.1: every event on an `auth_events` path from one conflicted event to another (ends
 * included) — the events reachable from the conflicted set that can themselves reach it.
 */
export function conflictedSubgraph(graph: EventGraph, conflicted: readonly number[]): number[] {
  const n = graph.ids.length;
  const isConflicted = new Uint8Array(n);
  for (const c of conflicted) isConflicted[c] = 1;
  // 0 = unvisited, 1 = on the stack, 2 = done and does not reach, 3 = done and reaches.
  const state = new Uint8Array(n);
  const out: number[] = [];
  const stack: number[] = [];
  const cursor = new Int32Array(n);
  for (const root of conflicted) {
    if (state[root] !== 0) continue;
    stack.push(root);
    state[root] = 1;
    while (stack.length > 0) {
      const x = stack[stack.length - 1] as number;
      const edges = graph.authOf[x] as readonly number[];
      const i = cursor[x] as number;
      if (i < edges.length) {
        cursor[x] = i + 1;
        const a = edges[i] as number;
        if (state[a] === 0) {
          state[a] = 1;
          stack.push(a);
        }
        continue;
      }
      stack.pop();
      let reaches = isConflicted[x] === 1;
      if (!reaches) for (const a of edges) if (state[a] === 3) (reaches = true);
      state[x] = reaches ? 3 : 2;
      if (reaches) out.push(x);
    }
  }
  return out;
}
