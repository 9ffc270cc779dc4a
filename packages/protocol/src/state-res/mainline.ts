/**
 * Mainline ordering: events sorted by how far back along the resolved power levels' chain
 * (the mainline) their own power levels event sits.
 */
import { originServerTs, type Pdu } from "./event-access";
import type { EventGraph } from "./event-graph";
import { authEventOfType } from "./power-ordering";

/** [P₀, P₁, …, Pₙ]: each the power levels event in the previous one's auth events. */
export function mainlineOf(graph: EventGraph, powerLevels: number | undefined): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  let p = powerLevels;
  while (p !== undefined && !seen.has(p)) {
    out.push(p);
    seen.add(p);
    p = authEventOfType(graph, p, "m.room.power_levels");
  }
  return out;
}

/**
 * Sorts `events` by the mainline ordering based on `powerLevels`: greater mainline position
 * first (∞ when no power levels event up the chain is on the mainline), then
 * `origin_server_ts`, then event ID.
 */
export function mainlineOrdering(
  graph: EventGraph,
  events: readonly number[],
  powerLevels: number | undefined,
): number[] {
  const mainline = mainlineOf(graph, powerLevels);
  const posOnMainline = new Map<number, number>();
  mainline.forEach((p, i) => posOnMainline.set(p, i));
  // depth(q) for a power levels event q: its mainline index, else that of the next PL up.
  const depthMemo = new Map<number, number>();
  const depthOfPl = (q: number): number => {
    const path: number[] = [];
    let cur: number | undefined = q;
    let result = Number.POSITIVE_INFINITY;
    while (cur !== undefined) {
      const onLine = posOnMainline.get(cur);
      if (onLine !== undefined) {
        result = onLine;
        break;
      }
      const memo = depthMemo.get(cur);
      if (memo !== undefined) {
        result = memo;
        break;
      }
      if (path.includes(cur)) break; // malformed cycle: treat as off the mainline
      path.push(cur);
      cur = authEventOfType(graph, cur, "m.room.power_levels");
    }
    for (const p of path) depthMemo.set(p, result);
    return result;
  };

  const keyed = events.map((e) => {
    const pl = authEventOfType(graph, e, "m.room.power_levels");
    return {
      e,
      pos: pl === undefined ? Number.POSITIVE_INFINITY : depthOfPl(pl),
      ts: originServerTs(graph.events[e] as Pdu),
      id: graph.ids[e] as string,
    };
  });
  keyed.sort((x, y) => {
    if (x.pos !== y.pos) return x.pos > y.pos ? -1 : 1;
    if (x.ts !== y.ts) return x.ts - y.ts;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  });
  return keyed.map((k) => k.e);
}
