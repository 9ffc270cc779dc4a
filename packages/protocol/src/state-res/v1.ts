/**
 * State resolution for room version 1: conflicts resolved type by type (power levels, join
 * rules, members, then everything else), checking each candidate against the state so far.
 */
import { createHash } from "node:crypto";
import { authEventStateKeys, checkAuth } from "./auth-deps";
import { separate, toStateMap } from "./conflicts";
import { depthOf, eventType, stateMapKey, type Pdu } from "./event-access";
import { buildEventGraph, type EventGraph } from "./event-graph";
import type { IndexedState } from "./iterative-auth";
import type { StateResInput } from "./v2";

/** Resolves with the room version 1 algorithm; returns the resolved state's event IDs. */
export function resolveStateV1(input: StateResInput): string[] {
  const { rules, stateSets, getEvent } = input;
  const graph = buildEventGraph(rules, stateSets.flat(), getEvent, input);
  const resolved = resolveIndexedV1(graph, stateSets.map((s) => toStateMap(graph, s)));
  return [...resolved.values()].map((i) => graph.ids[i] as string);
}

const AUTH_TYPES = ["m.room.power_levels", "m.room.join_rules", "m.room.member"] as const;

export function resolveIndexedV1(graph: EventGraph, maps: readonly Map<string, number>[]): IndexedState {
  // v1 calls a key conflicted only when the sets hold different events for it.
  const { unconflicted, conflictedByKey } = separate(maps, false);
  const r: IndexedState = new Map(unconflicted);
  const sha1 = memoSha1(graph);
  const keysByType = (type: string) =>
    [...conflictedByKey.keys()].filter((k) => eventType(graph.events[conflictedByKey.get(k)![0]!]!) === type).sort();

  for (const type of AUTH_TYPES) {
    for (const key of keysByType(type)) {
      // Ascending depth, then descending sha1(event_id); the first is taken unchecked.
      const list = [...(conflictedByKey.get(key) as number[])].sort(
        (a, b) => depthOf(graph.events[a] as Pdu) - depthOf(graph.events[b] as Pdu) || cmp(sha1(b), sha1(a)),
      );
      r.set(key, list[0] as number);
      for (const e of list.slice(1)) {
        if (!allowedIn(graph, e, r)) break;
        r.set(key, e);
      }
    }
  }

  const authTypes: readonly string[] = AUTH_TYPES;
  const others = [...conflictedByKey.keys()].filter(
    (k) => !authTypes.includes(eventType(graph.events[conflictedByKey.get(k)![0]!]!)),
  );
  for (const key of others.sort()) {
    // Highest depth, then lowest sha1(event_id), among those that pass auth in R.
    const list = [...(conflictedByKey.get(key) as number[])].sort(
      (a, b) => depthOf(graph.events[b] as Pdu) - depthOf(graph.events[a] as Pdu) || cmp(sha1(a), sha1(b)),
    );
    const winner = list.find((e) => allowedIn(graph, e, r));
    if (winner !== undefined) r.set(key, winner);
  }
  return r;
}

/** "Would be allowed by the authorisation rules for a room in state R": auth events from R. */
function allowedIn(graph: EventGraph, idx: number, r: IndexedState): boolean {
  const ev = graph.events[idx] as Pdu;
  const authEvents: Pdu[] = [];
  for (const [type, sk] of authEventStateKeys(ev, graph.rules)) {
    const s = r.get(stateMapKey(type, sk));
    if (s !== undefined) authEvents.push(graph.events[s] as Pdu);
  }
  const verdict = checkAuth(graph, ev, authEvents);
  graph.onCheck?.(graph.ids[idx] as string, verdict.allowed ? undefined : verdict.reason);
  return verdict.allowed;
}

function memoSha1(graph: EventGraph): (idx: number) => string {
  const memo = new Map<number, string>();
  return (idx) => {
    let h = memo.get(idx);
    if (h === undefined) {
      h = createHash("sha1").update(graph.ids[idx] as string, "utf8").digest("hex");
      memo.set(idx, h);
    }
    return h;
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
