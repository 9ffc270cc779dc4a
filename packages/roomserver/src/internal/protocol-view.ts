/**
 * A stored event as the protocol reads it from here on (auth rules, state resolution): its
 * redacted form once a validated redaction hit it. Redacted state "behaves as though [its
 * removed] properties were simply not specified" (client-server API, "Redactions"): a redacted
 * power-levels event of rooms v1–10, for one, no longer sets `invite`. We keep the original
 * PDU (served redacted, see query/state.ts), so the redacted form is made here, once per event.
 */
import { redactEvent, type RoomVersionInput } from "@dendrite-ts/protocol";
import type { PduJson } from "../api";
import type { StoredEvent } from "./events";

const redactedForms = new WeakMap<StoredEvent, PduJson>();

export function protocolPdu(ev: StoredEvent, roomVersion: RoomVersionInput): PduJson {
  if (ev.redactedBy === null) return ev.pdu;
  let redacted = redactedForms.get(ev);
  if (!redacted) {
    redacted = Object.freeze(redactEvent(ev.pdu, roomVersion)) as PduJson;
    redactedForms.set(ev, redacted);
  }
  return redacted;
}
