/**
 * State resolution for every room version: v1 (room version 1), v2 (2–11) and v2.1 (12).
 * `resolveState` loads what it needs, then runs the synchronous algorithm over a Map.
 */
import { getRoomVersion } from "../room-versions";
import { preloadEvents, type GraphOptions } from "./event-graph";
import { resolveStateV1 } from "./v1";
import { resolveStateV2, type StateResInput } from "./v2";

export { MissingEventError, buildEventGraph, type EventGraph, type GetEvent, type GraphOptions } from "./event-graph";
export { resolveStateV1 } from "./v1";
export { resolveStateV2, type StateResInput } from "./v2";
export { isPowerEvent } from "./power-ordering";

/** `isRejected`: events rejected by the auth rules, never used as auth events; `onCheck`: auth check outcomes. */
export type ResolveStateOptions = GraphOptions;

/** The synchronous core for any room version's rules. */
export function resolveStateSync(input: StateResInput): string[] {
  return input.rules.stateRes === "v1" ? resolveStateV1(input) : resolveStateV2(input);
}

/**
 * Resolves `stateSets` (each a list of state event IDs) for `roomVersion` and returns the
 * event IDs of the resolved state. `loadEvent` is asked for the events of the sets and of
 * their auth chains; a missing state-set event rejects with `MissingEventError`.
 */
export async function resolveState(
  roomVersion: string,
  stateSets: string[][],
  loadEvent: (eventId: string) => object | undefined | Promise<object | undefined>,
  options: ResolveStateOptions = {},
): Promise<string[]> {
  const rules = getRoomVersion(roomVersion);
  if (rules === undefined) throw new Error(`state resolution: unknown room version ${roomVersion}`);
  const loaded = await preloadEvents(rules, stateSets.flat(), loadEvent);
  return resolveStateSync({ ...options, rules, stateSets, getEvent: (id) => loaded.get(id) });
}
