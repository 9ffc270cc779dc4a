/**
 * Signing key files in Dendrite's format, so a Dendrite `matrix_key.pem` works here unchanged:
 *
 *   -----BEGIN MATRIX PRIVATE KEY-----
 *   Key-ID: ed25519:<version>
 *
 *   <padded base64 of the 32-byte ed25519 seed>
 *   -----END MATRIX PRIVATE KEY-----
 *
 * This is RFC 1421-style PEM (what Go's encoding/pem reads and writes): headers, a blank line,
 * base64 wrapped at 64 columns. Other PEM blocks in the same file are skipped, as Dendrite does.
 */
import { signingKeyFromSeed, type SigningKey } from "@dendrite-ts/protocol";

const BLOCK_TYPE = "MATRIX PRIVATE KEY";
const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyFileError";
  }
}

interface PemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Buffer;
}

function* pemBlocks(text: string): Generator<PemBlock> {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i] ?? "");
    if (begin === null) continue;
    const type = begin[1] ?? "";
    const end = `-----END ${type}-----`;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    let inHeaders = true;
    let closed = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i] ?? "";
      if (line === end) {
        closed = true;
        break;
      }
      const colon = line.indexOf(":");
      if (inHeaders && colon > 0) {
        headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
        continue;
      }
      inHeaders = false;
      if (line !== "") body.push(line);
    }
    if (!closed) throw new KeyFileError(`PEM block ${type} has no END line`);
    const b64 = body.join("");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new KeyFileError(`PEM block ${type} holds invalid base64`);
    yield { type, headers, bytes: Buffer.from(b64, "base64") };
  }
}

/** The first `MATRIX PRIVATE KEY` block of a key file, as a signing key. */
export function readSigningKeyPem(text: string): SigningKey {
  for (const block of pemBlocks(text)) {
    if (block.type !== BLOCK_TYPE) continue;
    const keyId = block.headers["Key-ID"];
    if (keyId === undefined) throw new KeyFileError("MATRIX PRIVATE KEY block has no Key-ID header");
    if (!keyId.startsWith("ed25519:")) throw new KeyFileError(`Key-ID ${keyId} is not an ed25519 key`);
    // Some tools write the 64-byte expanded private key (seed ‖ public key): the seed comes first.
    if (block.bytes.length !== 32 && block.bytes.length !== 64) {
      throw new KeyFileError(`MATRIX PRIVATE KEY holds ${block.bytes.length} bytes; expected a 32-byte seed`);
    }
    const seed = new Uint8Array(block.bytes.subarray(0, 32));
    let key: SigningKey;
    try {
      key = signingKeyFromSeed(seed, keyId);
    } catch (e) {
      throw new KeyFileError(`bad key ${keyId}: ${(e as Error).message}`);
    }
    if (block.bytes.length === 64 && !Buffer.from(key.publicKey).equals(block.bytes.subarray(32))) {
      throw new KeyFileError(`MATRIX PRIVATE KEY ${keyId}: public half does not match the seed`);
    }
    return key;
  }
  throw new KeyFileError("no MATRIX PRIVATE KEY block found");
}

/** A key file Dendrite can read: the seed, padded base64 wrapped at 64 columns. */
export function writeSigningKeyPem(key: SigningKey): string {
  const b64 = Buffer.from(key.seed).toString("base64");
  const wrapped = b64.match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${BLOCK_TYPE}-----`, `Key-ID: ${key.keyId}`, "", ...wrapped, `-----END ${BLOCK_TYPE}-----`, ""].join("\n");
}
