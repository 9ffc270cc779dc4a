/**
 * Signing key identifiers (appendices, "Signing Details"; server-server `verify_keys`):
 * `algorithm:version`, the version matching `[a-zA-Z0-9_]+`. Homeservers sign with `ed25519`.
 */
import { InvalidIdentifierError, schemaFromParser } from "./common";

export type KeyId = string & { readonly __brand: "KeyId" };

const KEY_ID = /^([a-z0-9_]+):([a-zA-Z0-9_]+)$/;

export function isValidKeyId(s: string): boolean {
  return KEY_ID.test(s);
}

export function parseKeyId(s: string): KeyId {
  if (!KEY_ID.test(s)) throw new InvalidIdentifierError("key ID", s, "expected algorithm:version with version [a-zA-Z0-9_]+");
  return s as KeyId;
}

export function keyIdAlgorithm(id: KeyId): string {
  return id.slice(0, id.indexOf(":"));
}

export function keyIdVersion(id: KeyId): string {
  return id.slice(id.indexOf(":") + 1);
}

export const keyIdSchema = schemaFromParser(parseKeyId, "key ID");
