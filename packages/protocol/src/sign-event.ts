/**
 * Adding hashes and signatures to outgoing events (server-server API, "Adding hashes and
 * signatures to outgoing events"): content hash into `hashes.sha256`, then sign the redacted
 * form, then copy the signature back onto the full event.
 */
import { computeContentHash } from "./content-hash";
import { redactEventWithRules } from "./redaction";
import { roomVersionRules, type RoomVersionInput } from "./room-version-rules";
import type { SigningKey } from "./signing-key";
import { computeJsonSignature, type Signatures } from "./signing";

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
  const rules = roomVersionRules(roomVersion);
  const signature = computeJsonSignature(redactEventWithRules(event, rules.redaction), key);
  const existing = ((event as { signatures?: unknown }).signatures ?? {}) as Signatures;
  return { ...event, signatures: { ...existing, [serverName]: { ...existing[serverName], [key.keyId]: signature } } };
}

/** Hashes and signs a new event as `serverName`. The input is not modified. */
export function signEvent<T extends object>(
  event: T,
  roomVersion: RoomVersionInput,
  serverName: string,
  key: SigningKey,
): SignedEvent<T> {
  const oldHashes = (event as { hashes?: unknown }).hashes;
  const hashes = {
    ...(typeof oldHashes === "object" && oldHashes !== null ? (oldHashes as Record<string, string>) : {}),
    sha256: computeContentHash(event),
  };
  return addEventSignature({ ...event, hashes }, roomVersion, serverName, key) as unknown as SignedEvent<T>;
}
