/**
 * Old signing keys from config (`global.old_private_keys`): each entry names its key ID and
 * `expired_ts`, and either a PEM key file we used to sign with or just the public key.
 */
import { readFileSync } from "node:fs";
import { decodeBase64, isValidBase64 } from "@dendrite-ts/protocol";
import { KeyFileError, readSigningKeyPem } from "./key-file";
import type { OldVerifyKey } from "./internal/own-keys";

export interface OldKeyConfig {
  path?: string | undefined;
  public_key?: string | undefined;
  key_id: string;
  expired_ts: number;
}

export function oldVerifyKeysFromConfig(
  entries: readonly OldKeyConfig[],
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): OldVerifyKey[] {
  return entries.map((e) => {
    if (e.path !== undefined) {
      const key = readSigningKeyPem(readFile(e.path));
      if (key.keyId !== e.key_id) {
        throw new KeyFileError(`old_private_keys: ${e.path} holds ${key.keyId}, but the config says ${e.key_id}`);
      }
      return { keyId: e.key_id, publicKey: key.publicKey, expiredTs: e.expired_ts };
    }
    const bytes = e.public_key !== undefined && isValidBase64(e.public_key) ? decodeBase64(e.public_key) : undefined;
    if (bytes?.byteLength !== 32) {
      throw new KeyFileError(`old_private_keys: ${e.key_id} needs a path or a 32-byte unpadded base64 public_key`);
    }
    return { keyId: e.key_id, publicKey: bytes, expiredTs: e.expired_ts };
  });
}
