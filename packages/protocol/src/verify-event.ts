/**
 * Validating hashes and signatures on received events (server-server API): the redacted event
 * must carry valid signatures from every server that has to sign it; then the content hash is
 * compared, and on a mismatch the event is processed in its redacted form.
 *
 * Keys come from a synchronous lookup: the key ring fetches what `requiredSignatures` names
 * first (protocol decides, the caller does I/O).
 */
import { decodeBase64, isValidBase64 } from "./base64";
import { canonicalJsonBytes } from "./canonical-json";
import { computeContentHash } from "./content-hash";
import { redactEventWithRules } from "./redaction";
import type { RoomVersionRules } from "./room-versions";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";
import { signatureKeyIds, verifyBytes, getSignature } from "./signing";

/** A server's public key as the key ring knows it. */
export interface VerifyKey {
  readonly key: Uint8Array;
  /** `valid_until_ts`, already capped at 7 days after fetching (rooms v5 signing requirements). */
  readonly validUntilTs?: number;
  /** `expired_ts` of an old verify key. */
  readonly expiredTs?: number;
}

/** Our key ring's answer for (server, key ID), or undefined when the key is unknown. */
export type KeyLookup = (serverName: string, keyId: string) => VerifyKey | undefined;

export type SignatureCheck = { ok: true } | { ok: false; serverName: string; reason: string };

export type EventVerification =
  /** Signatures and content hash are good: use the event as received. */
  | { outcome: "valid"; event: Record<string, unknown> }
  /** Signatures are good but the content hash is not: use this redacted copy instead. */
  | { outcome: "redacted"; event: Record<string, unknown>; reason: string }
  /** Bad signatures (or an unreadable event): drop it. */
  | { outcome: "rejected"; serverName?: string; reason: string };

function domainOf(id: unknown): string | undefined {
  if (typeof id !== "string") return undefined;
  const colon = id.indexOf(":");
  return colon === -1 ? undefined : id.slice(colon + 1);
}

function isThirdPartyInvite(ev: Record<string, unknown>): boolean {
  const content = ev.content as Record<string, unknown> | undefined;
  return (
    ev.type === "m.room.member" &&
    typeof content === "object" &&
    content !== null &&
    content.membership === "invite" &&
    content.third_party_invite !== undefined
  );
}

/**
 * The servers whose signatures an event needs: the sender's server (not for an invite made
 * from a third-party invite, which another server may send); in v1/v2 the event ID's server;
 * for a restricted join the server of `join_authorised_via_users_server` (v8+ auth rules).
 */
export function requiredSignatureServers(event: object, roomVersion: RoomVersionInput): string[] {
  const rules = roomVersionRules(roomVersion);
  const ev = event as Record<string, unknown>;
  const servers = new Set<string>();
  const sender = domainOf(ev.sender);
  if (!isThirdPartyInvite(ev) && sender !== undefined) servers.add(sender);
  if (rules.eventFormat.eventIdFormat === "v1") {
    const idServer = domainOf(ev.event_id);
    if (idServer !== undefined) servers.add(idServer);
  }
  const content = ev.content as Record<string, unknown> | undefined;
  if (rules.authorization.restrictedJoins && ev.type === "m.room.member" && typeof content === "object" && content !== null) {
    if (content.membership === "join") {
      const via = domainOf(content.join_authorised_via_users_server);
      if (via !== undefined) servers.add(via);
    }
  }
  return [...servers];
}

/** (server, key IDs) pairs the key ring should have before `verifyEventSignatures`. */
export function requiredSignatures(event: object, roomVersion: RoomVersionInput): { serverName: string; keyIds: string[] }[] {
  return requiredSignatureServers(event, roomVersion).map((serverName) => ({
    serverName,
    keyIds: signatureKeyIds(event, serverName).filter((id) => id.startsWith("ed25519:")),
  }));
}

function keyUsableAt(key: VerifyKey, ts: unknown, rules: RoomVersionRules): boolean {
  if (typeof ts !== "number") return !rules.signatures.enforceKeyValidity;
  if (key.expiredTs !== undefined && key.expiredTs < ts) return false;
  // v5+: valid_until_ts must be at least origin_server_ts.
  if (rules.signatures.enforceKeyValidity && key.validUntilTs !== undefined && key.validUntilTs < ts) return false;
  return true;
}

/**
 * Checks the redacted event's signatures from every required server. Per server, signatures
 * from unknown or expired keys are skipped; at least one must remain, and all that remain must
 * verify.
 */
export function verifyEventSignatures(event: object, roomVersion: RoomVersionInput, lookupKey: KeyLookup): SignatureCheck {
  const rules = roomVersionRules(roomVersion);
  const redacted = redactEventWithRules(event, rules.redaction);
  const { signatures: _s, unsigned: _u, ...signedPart } = redacted;
  let message: Uint8Array;
  try {
    message = canonicalJsonBytes(signedPart, { allowNonCanonicalNumbers: !rules.eventFormat.strictCanonicalJson });
  } catch (e) {
    return { ok: false, serverName: "", reason: `Not canonical JSON: ${(e as Error).message}` };
  }
  const ts = (event as { origin_server_ts?: unknown }).origin_server_ts;
  for (const serverName of requiredSignatureServers(event, rules)) {
    let checked = 0;
    for (const keyId of signatureKeyIds(event, serverName)) {
      if (!keyId.startsWith("ed25519:")) continue;
      const key = lookupKey(serverName, keyId);
      if (key === undefined || !keyUsableAt(key, ts, rules)) continue;
      const signature = getSignature(event, serverName, keyId);
      if (signature === undefined || !isValidBase64(signature) || !verifyBytes(message, decodeBase64(signature), key.key)) {
        return { ok: false, serverName, reason: `Bad signature from ${serverName} with ${keyId}` };
      }
      checked++;
    }
    if (checked === 0) return { ok: false, serverName, reason: `No signature from ${serverName} with a known, valid key` };
  }
  return { ok: true };
}

/** True when `hashes.sha256` matches the event's content hash. */
export function checkContentHash(event: object, roomVersion: RoomVersionInput): boolean {
  const rules = roomVersionRules(roomVersion);
  const hashes = (event as { hashes?: unknown }).hashes;
  if (typeof hashes !== "object" || hashes === null) return false;
  const claimed = (hashes as Record<string, unknown>).sha256;
  if (typeof claimed !== "string" || !isValidBase64(claimed)) return false;
  try {
    const actual = computeContentHash(event, { allowNonCanonicalNumbers: !rules.eventFormat.strictCanonicalJson });
    // Compare bytes, so a padded claim still matches.
    return Buffer.from(decodeBase64(claimed)).equals(Buffer.from(decodeBase64(actual)));
  } catch {
    return false;
  }
}

/** Signatures first (drop on failure), then the content hash (redact on mismatch). */
export function verifyEvent(event: object, roomVersion: RoomVersionInput, lookupKey: KeyLookup): EventVerification {
  const rules = roomVersionRules(roomVersion);
  const signatures = verifyEventSignatures(event, rules, lookupKey);
  if (!signatures.ok) return { outcome: "rejected", serverName: signatures.serverName, reason: signatures.reason };
  if (!checkContentHash(event, rules)) {
    return { outcome: "redacted", event: redactEventWithRules(event, rules.redaction), reason: "Content hash mismatch" };
  }
  return { outcome: "valid", event: event as Record<string, unknown> };
}
