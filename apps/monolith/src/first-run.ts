/**
 * First start with no config: create the data directory with a commented dendrite.yaml and a
 * signing key, and say what was created. Later starts find them and change nothing.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { defaultConfigYaml } from "@dendrite-ts/runtime";
import { writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";

export interface FirstRunResult {
  configPath: string;
  created: string[];
}

/** A random key ID version, as Dendrite's generate-keys does ("ed25519:" + 6 characters). */
export function newKeyId(): string {
  return `ed25519:${randomBytes(6).toString("base64url").slice(0, 6).replace(/-/g, "a")}`;
}

export function ensureDataDir(dataDir: string, serverName: string): FirstRunResult {
  const dir = resolve(dataDir);
  const configPath = join(dir, "dendrite.yaml");
  const created: string[] = [];
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    created.push(`${dir}/`);
  }
  if (!existsSync(configPath)) {
    // Paths in the file are relative to the file: the data directory can be moved as a whole.
    // A random shared secret, so `npm run create-account` works against this server at once.
    const yaml = defaultConfigYaml({ serverName, dataDir: "." }).replace(
      /^(\s*)# shared_secret: .*$/m,
      `$1shared_secret: "${randomBytes(24).toString("base64url")}"`,
    );
    writeFileSync(configPath, yaml, { mode: 0o600 });
    created.push(configPath);
  }
  const keyPath = join(dir, "matrix_key.pem");
  if (!existsSync(keyPath)) {
    writeFileSync(keyPath, writeSigningKeyPem(generateSigningKey(newKeyId())), { mode: 0o600 });
    created.push(keyPath);
  }
  return { configPath, created };
}
