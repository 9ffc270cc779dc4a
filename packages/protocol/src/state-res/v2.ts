/**
 * State resolution v2 (room versions 2–11) and v2.1 (room version 12, MSC4297), synchronous
 * over a preloaded event lookup.
 */
import type { RoomVersionRules } from "../room-versions";
import { markAuthChains } from "./auth-chain";
import { authDifference, conflictedSubgraph, separate, toStateMap } from "./conflicts";
import { stateMapKey, type Pdu } from "./event-access";
import { buildEventGraph, type EventGraph, type GetEvent, type GraphOptions } from "./event-graph";
import { iterativeAuthChecks, overlayState, type IndexedState } from "./iterative-auth";
import { mainlineOrdering } from "./mainline";
import { isPowerEvent, newPowerLevelCache, reverseTopologicalPowerOrdering } from "./power-ordering";

export interface StateResInput extends GraphOptions {
  readonly rules: RoomVersionRules;
  /** Each state set as the event IDs of its state events. */
  readonly stateSets: readonly (readonly string[])[];
  /** Every event of the sets and of their auth chains (v12: also the create event). */
  readonly getEvent: GetEvent;
}

const POWER_LEVELS_KEY = stateMapKey("m.room.power_levels", "");

/** Resolves with v2 or v2.1 as `rules.stateRes` says; returns the resolved state's event IDs. */
export function resolveStateV2(input: StateResInput): string[] {
  const { rules, stateSets, getEvent } = input;
  const graph = buildEventGraph(rules, stateSets.flat(), getEvent, input);
  const { unconflicted, resolvedConflicts } = resolveIndexedV2(graph, stateSets.map((s) => toStateMap(graph, s)));
  const out: string[] = [];
  for (const idx of unconflicted.values()) out.push(graph.ids[idx] as string);
  for (const [key, idx] of resolvedConflicts) if (!unconflicted.has(key)) out.push(graph.ids[idx] as string);
  return out;
}

/** The algorithm proper over the numeric graph, for callers that built the graph themselves. */
/**
 * The algorithm proper over the numeric graph. The resolved state is `unconflicted` plus the
 * entries of `resolvedConflicts` whose keys `unconflicted` lacks (step 5), kept apart so the
 * large agreed part is never copied.
 */
export function resolveIndexedV2(
  graph: EventGraph,
  maps: readonly Map<string, number>[],
): { unconflicted: IndexedState; resolvedConflicts: IndexedState } {
  const v21 = graph.rules.stateRes === "v2.1";
  const { unconflicted, conflicted } = separate(maps, true);
  if (conflicted.length === 0) return { unconflicted, resolvedConflicts: new Map() };

  // Full conflicted set: conflicted state set ∪ auth difference (∪ conflicted state subgraph in v2.1).
  const n = graph.ids.length;
  const inFull = new Uint8Array(n);
  const full: number[] = [];
  const include = (x: number) => {
    if (inFull[x] === 0) (inFull[x] = 1), full.push(x);
  };
  conflicted.forEach(include);
  authDifference(graph, maps, unconflicted).forEach(include);
  if (v21) conflictedSubgraph(graph, conflicted).forEach(include);

  // Step 1: power events plus the parts of their auth chains inside the full conflicted set.
  const powerEvents = full.filter((x) => isPowerEvent(graph.events[x] as Pdu));
  const chains = new Uint8Array(n);
  markAuthChains(graph, powerEvents, chains, 1);
  const picked = new Uint8Array(n);
  const step1: number[] = [];
  for (const x of full) {
    if (chains[x] === 1 || isPowerEvent(graph.events[x] as Pdu)) (picked[x] = 1), step1.push(x);
  }
  const plCache = newPowerLevelCache(graph);
  const sortedPower = reverseTopologicalPowerOrdering(graph, step1, plCache);

  // Step 2: v2 starts from the unconflicted state map, v2.1 from an empty one.
  const resolvedConflicts: IndexedState = new Map();
  const state = v21 ? resolvedConflicts : overlayState(resolvedConflicts, unconflicted);
  iterativeAuthChecks(graph, sortedPower, state);

  // Steps 3–4: everything else, in mainline order of the partially resolved power levels.
  const rest = full.filter((x) => picked[x] === 0);
  iterativeAuthChecks(graph, mainlineOrdering(graph, rest, state.get(POWER_LEVELS_KEY)), state);

  // Step 5 (the unconflicted state map wins wherever it has an entry) is the caller's merge.
  return { unconflicted, resolvedConflicts };
}
