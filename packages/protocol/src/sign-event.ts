/**
 * Adding hashes and signatures to outgoing events (server-server API, "Adding hashes and
 * signatures to outgoing events"): content hash into `hashes.sha256`, then sign the redacted
 * form, then copy the signature back onto the full event.
 */
import { computeContentHash } from "./content-hash";
import { redactEventWithRules } from "./redaction";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";
import type { SigningKey } from "./signing-key";
import { encodeBase64 } from "./base64";
import { signBytes, signedBytes, type Signatures } from "./signing";

export type SignedEvent<T extends object> = Omit<T, "hashes" | "signatures"> & {
  hashes: { sha256: string } & Record<string, string>;
  signatures: Signatures;
};

/**
 * Adds one more signature to an event that already has its hashes (a resident server signing a
 * restricted join, an invitee's server signing an invite). Hashes are left as they are.
 */
export function addEventSignature<T extends object>(
  event: T,
  roomVersion: RoomVersionInput,
  serverName: string,
  key: SigningKey,
): T & { signatures: Signatures } {
  return signWithBytes(event, roomVersion, serverName, key).event;
}

/**
 * addEventSignature, also returning the bytes it signed: the canonical JSON of the redacted
 * event without `signatures` and `unsigned` — exactly what the reference hash covers, so a new
 * event's ID (v3+) is their SHA-256 (build-event.ts), with no second redaction and encoding.
 */
export function signWithBytes<T extends object>(
  event: T,
  roomVersion: RoomVersionInput,
  serverName: string,
  key: SigningKey,
): { event: T & { signatures: Signatures }; signedBytes: Uint8Array } {
  const rules = roomVersionRules(roomVersion);
  const bytes = signedBytes(redactEventWithRules(event, rules.redaction));
  const signature = encodeBase64(signBytes(bytes, key));
  const existing = ((event as { signatures?: unknown }).signatures ?? {}) as Signatures;
  return { event: { ...event, signatures: { ...existing, [serverName]: { ...existing[serverName], [key.keyId]: signature } } }, signedBytes: bytes };
}

/** Hashes and signs a new event as `serverName`. The input is not modified. */
export function signEvent<T extends object>(
  event: T,
  roomVersion: RoomVersionInput,
  serverName: string,
  key: SigningKey,
): SignedEvent<T> {
  return hashAndSignWithBytes(event, roomVersion, serverName, key).event;
}

/** signEvent, also returning the bytes signed (see signWithBytes). */
export function hashAndSignWithBytes<T extends object>(
  event: T,
  roomVersion: RoomVersionInput,
  serverName: string,
  key: SigningKey,
): { event: SignedEvent<T>; signedBytes: Uint8Array } {
  const oldHashes = (event as { hashes?: unknown }).hashes;
  const hashes = {
    ...(typeof oldHashes === "object" && oldHashes !== null ? (oldHashes as Record<string, string>) : {}),
    sha256: computeContentHash(event),
  };
  const signed = signWithBytes({ ...event, hashes }, roomVersion, serverName, key);
  return { event: signed.event as unknown as SignedEvent<T>, signedBytes: signed.signedBytes };
}
