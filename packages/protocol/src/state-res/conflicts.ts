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

const keyCache = new WeakMap<EventGraph, (string | null | undefined)[]>();

/** The state map key of event `idx`, computed once per graph (null for message events). */
export function keyAt(graph: EventGraph, idx: number): string | null {
  let cache = keyCache.get(graph);
  if (cache === undefined) keyCache.set(graph, (cache = new Array(graph.ids.length)));
  let k = cache[idx];
  if (k === undefined) cache[idx] = k = stateMapKeyOf(graph.events[idx] as Pdu) ?? null;
  return k;
}

/** One state set as a state map: key → event index. Message events are ignored. */
export function toStateMap(graph: EventGraph, set: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const id of set) {
    const idx = graph.index.get(id);
    if (idx === undefined) continue;
    const key = keyAt(graph, idx);
    if (key !== null) map.set(key, idx);
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
  const classify = (key: string) => {
    let first: number | undefined;
    let same = true;
    let missing = false;
    for (const m of maps) {
      const v = m.get(key);
      if (v === undefined) missing = true;
      else if (first === undefined) first = v;
      else if (v !== first) same = false;
    }
    if (same && !(missing && missingIsConflict)) {
      unconflicted.set(key, first as number);
      return;
    }
    const values: number[] = [];
    for (const m of maps) {
      const v = m.get(key);
      if (v !== undefined && !values.includes(v)) values.push(v);
    }
    conflictedByKey.set(key, values);
  };
  // Each key once: a key is handled by the first map that has it.
  maps.forEach((m, i) => {
    for (const key of m.keys()) {
      let earlier = false;
      for (let j = 0; j < i && !earlier; j++) earlier = (maps[j] as Map<string, number>).has(key);
      if (!earlier) classify(key);
    }
  });
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
