/**
 * The authorization pieces state resolution borrows from `src/auth`, imported in one place,
 * plus the one adapter it needs: auth checks that can name each event (we carry IDs beside
 * the objects, so the auth rules need not hash events to recognise the create event).
 */
import { checkEventAuthWithRules } from "../auth/index";
import type { EventGraph } from "./event-graph";
import type { Pdu } from "./event-access";

export { userPowerLevel } from "../auth/power-levels";
export { authEventStateKeys } from "../auth/select-auth-events";

export type AuthVerdict = { allowed: true } | { allowed: false; reason: string };

/** Checks `event` against `authEvents`; an exception from malformed input counts as a denial. */
export function checkAuth(graph: EventGraph, event: Pdu, authEvents: readonly Pdu[]): AuthVerdict {
  try {
    const r = checkEventAuthWithRules(event, authEvents, graph.rules, {
      eventId: (ev) => {
        const i = graph.objectIndex.get(ev);
        return i === undefined ? "" : (graph.ids[i] as string);
      },
    });
    return r.allowed ? { allowed: true } : { allowed: false, reason: r.reason };
  } catch (e) {
    return { allowed: false, reason: `auth check failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
