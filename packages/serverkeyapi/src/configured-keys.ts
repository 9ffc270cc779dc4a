/**
 * Reads the keys a config names: the current signing key (`global.private_key`, a PEM file) and
 * the old ones (`global.old_private_keys`). Relative paths are resolved against `baseDir` (the
 * config file's directory). Both apps start from this, so a key problem reads the same everywhere.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { SigningKey } from "@dendrite-ts/protocol";
import { KeyFileError, readSigningKeyPem } from "./key-file";
import type { OldVerifyKey } from "./internal/own-keys";
import { oldVerifyKeysFromConfig, type OldKeyConfig } from "./old-keys";

export interface KeysConfig {
  private_key: string;
  old_private_keys: readonly OldKeyConfig[];
}

export interface ConfiguredKeys {
  signingKey: SigningKey;
  oldKeys: OldVerifyKey[];
}

export function loadConfiguredKeys(config: KeysConfig, baseDir: string): ConfiguredKeys {
  const read = (p: string) => {
    const path = resolve(baseDir, p);
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new KeyFileError(`cannot read key file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); write one with generate-keys`);
    }
  };
  return {
    signingKey: readSigningKeyPem(read(config.private_key)),
    oldKeys: oldVerifyKeysFromConfig(config.old_private_keys, read),
  };
}
