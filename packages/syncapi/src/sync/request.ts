/**
 * The query of GET /sync, checked: a client's mistake is 400 M_INVALID_PARAM, never a 500.
 * The filter (an ID or inline JSON) is resolved by the caller, which knows the user.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { parseSyncToken, type SyncPositions } from "./tokens";

export interface SyncQuery {
  since?: SyncPositions;
  timeoutMs: number;
  fullState: boolean;
  /** The room state as of the end of the timeline, in state_after (v1.16, MSC4222), instead of `state`. */
  useStateAfter: boolean;
  setPresence?: "online" | "offline" | "unavailable";
  filter?: string;
}

/** Longest we hold a request, whatever the client asks (proxies give up long before). */
export const MAX_TIMEOUT_MS = 5 * 60_000;

function single(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new MatrixError("M_INVALID_PARAM", `${name} must be given once`);
  return v;
}

export function parseSyncQuery(query: unknown): SyncQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: SyncQuery = { timeoutMs: 0, fullState: false, useStateAfter: false };
  const since = single(q, "since");
  if (since !== undefined && since !== "") out.since = parseSyncToken(since);
  const timeout = single(q, "timeout");
  if (timeout !== undefined && timeout !== "") {
    if (!/^\d{1,12}$/.test(timeout)) throw new MatrixError("M_INVALID_PARAM", "timeout must be a non-negative integer (milliseconds)");
    out.timeoutMs = Math.min(Number(timeout), MAX_TIMEOUT_MS);
  }
  const fullState = single(q, "full_state");
  if (fullState !== undefined) {
    if (fullState !== "true" && fullState !== "false") throw new MatrixError("M_INVALID_PARAM", "full_state must be true or false");
    out.fullState = fullState === "true";
  }
  const stateAfter = single(q, "use_state_after");
  if (stateAfter !== undefined) {
    if (stateAfter !== "true" && stateAfter !== "false") throw new MatrixError("M_INVALID_PARAM", "use_state_after must be true or false");
    out.useStateAfter = stateAfter === "true";
  }
  const presence = single(q, "set_presence");
  if (presence !== undefined) {
    if (presence !== "online" && presence !== "offline" && presence !== "unavailable") {
      throw new MatrixError("M_INVALID_PARAM", "set_presence must be online, offline or unavailable");
    }
    out.setPresence = presence;
  }
  const filter = single(q, "filter");
  if (filter !== undefined && filter !== "") out.filter = filter;
  return out;
}
