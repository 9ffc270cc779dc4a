/**
 * The v2 definitions one at a time, on hand-built auth graphs: auth difference, conflicted
 * state subgraph, mainline positions, reverse topological power ordering; and the
 * `resolveState` entry point's contract.
 */
import { describe, expect, it } from "vitest";
import { getRoomVersion, type RoomVersionRules } from "../../src/room-versions";
import { authDifference, conflictedSubgraph, separate, toStateMap } from "../../src/state-res/conflicts";
import { buildEventGraph, type EventGraph } from "../../src/state-res/event-graph";
import { mainlineOrdering } from "../../src/state-res/mainline";
import { newPowerLevelCache, reverseTopologicalPowerOrdering } from "../../src/state-res/power-ordering";
import { MissingEventError, resolveState } from "../../src/state-res/index";

const V11 = getRoomVersion("11") as RoomVersionRules;

/** Events named by ID with `auth_events` edges; type/state_key make each a distinct state entry. */
function graphOf(edges: Record<string, { auth?: string[]; type?: string; ts?: number; sender?: string }>): EventGraph {
  const events = new Map<string, object>();
  for (const [id, e] of Object.entries(edges)) {
    events.set(id, {
      type: e.type ?? "m.test",
      state_key: id,
      sender: e.sender ?? "@a:x",
      origin_server_ts: e.ts ?? 0,
      auth_events: e.auth ?? [],
      content: {},
    });
  }
  return buildEventGraph(V11, events.keys(), (id) => events.get(id));
}
const names = (g: EventGraph, xs: number[]) => xs.map((x) => g.ids[x]).sort();

describe("definitions", () => {
  it("auth difference: ∪Cᵢ − ∩Cᵢ, with chains excluding the state events themselves", () => {
    // A ← B ← C (C cites B cites A); D cites A; E cites D.
    const g = graphOf({ A: {}, B: { auth: ["A"] }, C: { auth: ["B"] }, D: { auth: ["A"] }, E: { auth: ["D"] } });
    const maps = [toStateMap(g, ["C"]), toStateMap(g, ["E"])];
    const { unconflicted } = separate(maps, true);
    expect(names(g, authDifference(g, maps, unconflicted))).toEqual(["B", "D"]);
  });

  it("auth difference: chains under an unconflicted event are common to every set", () => {
    const g = graphOf({ A: {}, B: { auth: ["A"] }, C: { auth: ["B"] }, U: { auth: ["B"] } });
    const maps = [toStateMap(g, ["U", "C"]), toStateMap(g, ["U"])];
    const { unconflicted } = separate(maps, true);
    expect(names(g, authDifference(g, maps, unconflicted))).toEqual([]);
  });

  it("separation: v2 counts a key missing from one set as conflicted, v1 does not", () => {
    const g = graphOf({ A: {}, B: {} });
    const maps = [toStateMap(g, ["A", "B"]), toStateMap(g, ["A"])];
    expect(names(g, separate(maps, true).conflicted)).toEqual(["B"]);
    expect(separate(maps, false).conflicted).toEqual([]);
  });

  it("conflicted state subgraph: every event on a path between conflicted events, ends included", () => {
    // X → M1 → M2 → Y, and X → N (N reaches no conflicted event), Y → Z (below the last one).
    const g = graphOf({ Z: {}, Y: { auth: ["Z"] }, M2: { auth: ["Y"] }, M1: { auth: ["M2"] }, N: {}, X: { auth: ["M1", "N"] } });
    const conflicted = ["X", "Y"].map((id) => g.index.get(id) as number);
    expect(names(g, conflictedSubgraph(g, conflicted))).toEqual(["M1", "M2", "X", "Y"]);
  });

  it("mainline ordering: greater position first, events off the mainline (∞) before all", () => {
    // P2 → P1 → P0 is the mainline of P2; Q forks off P0.
    const pl = "m.room.power_levels";
    const g = graphOf({
      P0: { type: pl },
      P1: { type: pl, auth: ["P0"] },
      P2: { type: pl, auth: ["P1"] },
      Q: { type: pl, auth: ["P0"] },
      e_on_p2: { auth: ["P2"], ts: 1 },
      e_on_p0: { auth: ["P0"], ts: 5 },
      e_on_q: { auth: ["Q"], ts: 3 },
      e_none: { ts: 9 },
    });
    // Power levels events need an empty state key to be found as such.
    for (const id of ["P0", "P1", "P2", "Q"]) (g.events[g.index.get(id) as number] as Record<string, unknown>).state_key = "";
    const idx = (id: string) => g.index.get(id) as number;
    const order = mainlineOrdering(g, ["e_on_p2", "e_on_p0", "e_on_q", "e_none"].map(idx), idx("P2"));
    // e_none: ∞; e_on_p0 and e_on_q (via Q → P0): position 2, by time; e_on_p2: 0.
    expect(order.map((x) => g.ids[x])).toEqual(["e_none", "e_on_q", "e_on_p0", "e_on_p2"]);
  });

  it("reverse topological power ordering: auth events first, then higher power, then earlier, then smaller ID", () => {
    const g = graphOf({ R: { ts: 50 }, B: { auth: ["R"], ts: 2 }, A: { auth: ["R"], ts: 2 }, C: { auth: ["R"], ts: 1 }, D: { auth: ["C"], ts: 0 } });
    const all = [...g.index.values()];
    const order = reverseTopologicalPowerOrdering(g, all, newPowerLevelCache(g));
    expect(order.map((x) => g.ids[x])).toEqual(["R", "C", "D", "A", "B"]);
  });
});

describe("resolveState", () => {
  const room = new Map<string, object>([
    ["$c", { type: "m.room.create", state_key: "", sender: "@a:x", content: { creator: "@a:x" }, room_id: "!r:x", auth_events: [], prev_events: [] }],
    ["$t", { type: "m.room.topic", state_key: "", sender: "@a:x", content: {}, room_id: "!r:x", auth_events: ["$c"] }],
  ]);

  it("with no conflicts returns the agreed state as is, without auth checks", async () => {
    // $t would fail auth ($a:x never joined), but nothing is conflicted, so nothing is checked.
    expect((await resolveState("10", [["$c", "$t"], ["$t", "$c"]], (id) => room.get(id))).sort()).toEqual(["$c", "$t"]);
  });

  it("a key only one set has is conflicted in v2 and re-authed", async () => {
    expect(await resolveState("10", [["$c"], ["$c", "$t"]], (id) => room.get(id))).toEqual(["$c"]);
  });

  it("accepts an async loader", async () => {
    expect(await resolveState("10", [["$c"], ["$c"]], async (id) => room.get(id))).toEqual(["$c"]);
  });

  it("rejects an unknown room version", async () => {
    await expect(resolveState("99", [], () => undefined)).rejects.toThrow(/unknown room version/);
  });

  it("rejects a state set naming an event the loader cannot find", async () => {
    await expect(resolveState("10", [["$nope"]], () => undefined)).rejects.toBeInstanceOf(MissingEventError);
  });
});
