/**
 * Our keys from config: `global.private_key` (a PEM key file) and `global.old_private_keys`,
 * whose entries name a key ID and `expired_ts`, and either a PEM key file we used to sign with
 * or just the public key. Relative paths are resolved against the config file's directory.
 * Both apps start from this, so a key problem reads the same in every process.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { decodeBase64, isValidBase64, type SigningKey } from "@dendrite-ts/protocol";
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
      const key = pem(readFile(e.path), e.path);
      if (key.keyId !== e.key_id) {
        throw new KeyFileError(`global.old_private_keys: ${e.path} holds ${key.keyId}, but key_id says ${e.key_id}`);
      }
      return { keyId: e.key_id, publicKey: key.publicKey, expiredTs: e.expired_ts };
    }
    const bytes = e.public_key !== undefined && isValidBase64(e.public_key) ? decodeBase64(e.public_key) : undefined;
    if (bytes?.byteLength !== 32) {
      throw new KeyFileError(`global.old_private_keys: ${e.key_id} needs a path or a 32-byte unpadded base64 public_key`);
    }
    return { keyId: e.key_id, publicKey: bytes, expiredTs: e.expired_ts };
  });
}

function pem(text: string, path: string): SigningKey {
  try {
    return readSigningKeyPem(text);
  } catch (e) {
    throw new KeyFileError(`${path}: ${(e as Error).message}`);
  }
}

export interface KeysConfig {
  private_key: string;
  old_private_keys: readonly OldKeyConfig[];
}

export interface ConfiguredKeys {
  signingKey: SigningKey;
  oldKeys: OldVerifyKey[];
}

/** Reads the signing key file and the old keys `config.global` names; `baseDir`: the config file's directory. */
export function loadConfiguredKeys(config: KeysConfig, baseDir: string): ConfiguredKeys {
  const read = (p: string) => {
    const path = resolve(baseDir, p);
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new KeyFileError(`cannot read key file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); write one with generate-keys`);
    }
  };
  return { signingKey: pem(read(config.private_key), config.private_key), oldKeys: oldVerifyKeysFromConfig(config.old_private_keys, read) };
}
