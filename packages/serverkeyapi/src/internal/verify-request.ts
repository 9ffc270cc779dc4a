/**
 * Request Authentication (server-server API): the X-Matrix header must parse, name us as the
 * destination (when present), and carry the origin's signature with a key that is current now —
 * old keys only ever count for events, never for requests.
 */
import {
  decodeBase64,
  isValidServerName,
  parseXMatrixAuthorization,
  verifyXMatrixAuthorization,
  type XMatrixAuthorization,
} from "@dendrite-ts/protocol";
import type { RequestVerification } from "../api";
import type { KeyCache } from "./key-cache";

export interface RequestToVerify {
  authorization: string;
  method: string;
  uri: string;
  destination: string;
  content?: unknown;
}

export async function verifyRequest(cache: KeyCache, now: number, r: RequestToVerify): Promise<RequestVerification> {
  let auth: XMatrixAuthorization;
  try {
    auth = parseXMatrixAuthorization(r.authorization);
  } catch (e) {
    return { ok: false, error: `Bad X-Matrix authorization: ${(e as Error).message}` };
  }
  const who = { origin: auth.origin, key_id: auth.key };
  if (!isValidServerName(auth.origin)) return { ok: false, ...who, error: "Invalid origin server name" };
  if (auth.destination !== undefined && auth.destination !== r.destination) {
    return { ok: false, ...who, error: `Request is for ${auth.destination}, not ${r.destination}` };
  }
  const [key] = await cache.getKeys([{ serverName: auth.origin, keyId: auth.key, minimumValidUntilTs: now }]);
  if (key === undefined) return { ok: false, ...who, error: `Unknown key ${auth.key} for ${auth.origin}` };
  if (key.expiredTs !== null || key.validUntilTs < now) {
    return { ok: false, ...who, error: `Key ${auth.key} of ${auth.origin} is not current` };
  }
  const request = { method: r.method, uri: r.uri, destination: r.destination, ...(r.content !== undefined ? { content: r.content } : {}) };
  const check = verifyXMatrixAuthorization(auth, request, decodeBase64(key.publicKey));
  if (!check.ok) return { ok: false, ...who, error: check.reason === "wrong_destination" ? "Wrong destination" : "Invalid signature" };
  return { ok: true, ...who };
}
