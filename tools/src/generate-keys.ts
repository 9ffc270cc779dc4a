/**
 * generate-keys: writes a new ed25519 signing key in Dendrite's PEM format (a MATRIX PRIVATE
 * KEY block with a Key-ID header), so the file also works with Dendrite.
 *   generate-keys --private-key FILE [--key-id ed25519:ID]
 */
import { existsSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";

const USAGE = `Usage: generate-keys --private-key FILE [--key-id ed25519:ID]

  --private-key FILE   where to write the key (never overwrites)
  --key-id ID          key ID (default ed25519: + 6 random characters)
`;

function main(): void {
  const { values } = parseArgs({
    options: {
      "private-key": { type: "string" },
      "key-id": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const file = values["private-key"];
  if (!file) throw new Error("--private-key FILE is required");
  if (existsSync(file)) throw new Error(`${file} exists; not overwriting a signing key`);
  const keyId = values["key-id"] ?? `ed25519:${randomBytes(6).toString("base64url").replace(/[-_]/g, "a").slice(0, 6)}`;
  const key = generateSigningKey(keyId);
  writeFileSync(file, writeSigningKeyPem(key), { mode: 0o600 });
  process.stderr.write(`wrote ${file} (${key.keyId})\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`generate-keys: ${(e as Error).message}\n\n${USAGE}`);
  process.exit(1);
}
