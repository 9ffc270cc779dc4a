/**
 * What GET /state and /state/{type}/{key}?format=event add to a state event's `unsigned`, as
 * every other endpoint serving events does (ClientEvent, "UnsignedData"): its age; and, when it
 * replaced an earlier event at its key, replaces_state, prev_content and prev_sender (the last
 * not in the spec: Synapse and our syncapi serve it). A redaction in redacted_because has its age.
 */
import { computeEventId } from "@dendrite-ts/protocol";
import type { PduJson } from "@dendrite-ts/roomserver";
import type { ClientEvent } from "../client-events";

export function withStateUnsigned(ev: ClientEvent, replaced: PduJson | undefined, roomVersion: string, now = Date.now()): ClientEvent {
  const unsigned: Record<string, unknown> = { ...ev.unsigned, age: ageAt(ev.origin_server_ts, now) };
  const because = unsigned.redacted_because as ClientEvent | undefined;
  if (because) unsigned.redacted_because = { ...because, unsigned: { ...because.unsigned, age: ageAt(because.origin_server_ts, now) } };
  if (replaced) {
    unsigned.replaces_state = computeEventId(replaced, roomVersion);
    unsigned.prev_content = (replaced.content as Record<string, unknown> | undefined) ?? {};
    unsigned.prev_sender = replaced.sender;
  }
  return { ...ev, unsigned };
}

function ageAt(ts: number, now: number): number {
  return Math.max(0, now - ts);
}
