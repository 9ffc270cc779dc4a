/**
 * Reads the keys a config names: the current signing key (`global.private_key`, a PEM file) and
 * the old ones (`global.old_private_keys`: an old PEM file or a bare public key, with expired_ts).
 * Both apps start from this, so a key problem reads the same in every process.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { decodeBase64, type SigningKey } from "@dendrite-ts/protocol";
import { KeyFileError, readSigningKeyPem } from "./key-file";
import type { OldVerifyKey } from "./internal/own-keys";

export interface KeysConfig {
  private_key: string;
  old_private_keys: readonly { path?: string | undefined; public_key?: string | undefined; key_id: string; expired_ts: number }[];
}

export interface ConfiguredKeys {
  signingKey: SigningKey;
  oldKeys: OldVerifyKey[];
}

function readPem(path: string, what: string): SigningKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new KeyFileError(`cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? e}); write one with generate-keys`);
  }
  try {
    return readSigningKeyPem(text);
  } catch (e) {
    throw new KeyFileError(`${what} ${path}: ${(e as Error).message}`);
  }
}

/** `baseDir`: the directory relative paths are resolved against (the config file's). */
export function loadConfiguredKeys(config: KeysConfig, baseDir: string): ConfiguredKeys {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const signingKey = readPem(at(config.private_key), "global.private_key");
  const oldKeys = config.old_private_keys.map((k, i): OldVerifyKey => {
    const publicKey = k.path !== undefined
      ? readPem(at(k.path), `global.old_private_keys[${i}].path`).publicKey
      : decodeBase64(k.public_key ?? "");
    if (publicKey.byteLength !== 32) {
      throw new KeyFileError(`global.old_private_keys[${i}]: the public key must be 32 bytes of unpadded base64`);
    }
    return { keyId: k.key_id, publicKey, expiredTs: k.expired_ts };
  });
  return { signingKey, oldKeys };
}
