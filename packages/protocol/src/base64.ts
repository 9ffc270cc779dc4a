/**
 * Unpadded Base64 (appendices, "Unpadded Base64" and "URL-safe unpadded Base64"). We always
 * write without padding; we read padded or unpadded, standard or URL-safe, as the spec asks
 * ("implementations SHOULD accept input with or without padding characters").
 */

export interface EncodeBase64Options {
  /** Use `-` and `_` for values 62 and 63 (event IDs from room version 4, v12 room IDs). */
  readonly urlSafe?: boolean;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Unpadded Base64 of `bytes`, standard alphabet unless `urlSafe`. */
export function encodeBase64(bytes: Uint8Array, options?: EncodeBase64Options): string {
  const buf = asBuffer(bytes);
  if (options?.urlSafe === true) return buf.toString("base64url"); // Node writes it unpadded
  const padded = buf.toString("base64");
  if (padded.endsWith("==")) return padded.slice(0, -2);
  if (padded.endsWith("=")) return padded.slice(0, -1);
  return padded;
}

// Either alphabet, then at most two `=`. Buffer.from(…, "base64") silently skips characters it
// does not know, so we validate first: a signature with junk in it must fail, not shrink.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Base64Error";
  }
}

/** True when `s` decodes: either alphabet, padded or not. */
export function isValidBase64(s: string): boolean {
  if (!BASE64.test(s)) return false;
  const eq = s.indexOf("=");
  const body = eq === -1 ? s.length : eq;
  if (body % 4 === 1) return false; // 6 bits cannot make a byte
  // Padding, when present, must complete the last quantum exactly.
  return eq === -1 || s.length % 4 === 0;
}

/** Decodes standard or URL-safe Base64, padded or not. Throws `Base64Error` on bad input. */
export function decodeBase64(s: string): Uint8Array {
  if (!isValidBase64(s)) throw new Base64Error("Invalid base64");
  // Non-zero trailing bits are tolerated (the spec's own signing-key seed has them).
  const buf = Buffer.from(s, "base64");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
