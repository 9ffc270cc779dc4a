/**
 * Checking received events (server-server API, "Validating hashes and signatures on received
 * events"): protocol decides which servers must have signed and how; we fetch the keys first,
 * for the whole batch at once, then hand protocol a synchronous lookup.
 */
import { decodeBase64, requiredSignatures, roomVersionRules, verifyEvent, type VerifyKey } from "@dendrite-ts/protocol";
import type { EventVerificationResult } from "../api";
import type { KeyCache, KeyRequest } from "./key-cache";

export async function verifyEvents(
  cache: KeyCache,
  roomVersion: string,
  events: readonly Record<string, unknown>[],
): Promise<EventVerificationResult[]> {
  const rules = roomVersionRules(roomVersion); // unknown version → M_UNSUPPORTED_ROOM_VERSION
  const wanted: KeyRequest[] = [];
  for (const ev of events) {
    // v5+: the key must have been valid when the event was sent; v1–4: any key we know.
    const ts = typeof ev.origin_server_ts === "number" ? ev.origin_server_ts : 0;
    const minimumValidUntilTs = rules.signatures.enforceKeyValidity ? ts : 0;
    for (const { serverName, keyIds } of requiredSignatures(ev, rules)) {
      for (const keyId of keyIds) wanted.push({ serverName, keyId, minimumValidUntilTs });
    }
  }
  const keys = new Map<string, VerifyKey>();
  for (const k of await cache.getKeys(wanted)) {
    const vk: VerifyKey = {
      key: decodeBase64(k.publicKey),
      validUntilTs: k.validUntilTs,
      ...(k.expiredTs !== null ? { expiredTs: k.expiredTs } : {}),
    };
    keys.set(`${k.serverName}\u0000${k.keyId}`, vk);
  }
  const lookup = (serverName: string, keyId: string) => keys.get(`${serverName}\u0000${keyId}`);
  return events.map((ev): EventVerificationResult => {
    const v = verifyEvent(ev, rules, lookup);
    if (v.outcome === "valid") return { outcome: "valid" };
    if (v.outcome === "redacted") return { outcome: "redacted", reason: v.reason, redacted_event: v.event };
    return { outcome: "rejected", reason: v.reason };
  });
}
