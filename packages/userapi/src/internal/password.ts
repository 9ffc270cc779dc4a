// Password hashing with scrypt (memory-hard, in node:crypto). The parameters travel inside the
// stored string, so raising them later only affects new hashes; old ones still verify and are
// upgraded on the next successful login (see needsRehash).
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. 15 → N = 32768, 32 MiB with r = 8. */
  logN: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 1 };

const KEY_LEN = 32;
const SALT_LEN = 16;
/** Above this a password is refused: hashing is the expensive part of login, not the wire. */
export const MAX_PASSWORD_BYTES = 512;

function derive(password: string, salt: Buffer, { logN, r, p }: ScryptParams, keyLen: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; node's default cap (32 MiB) is just short of N=2^15, r=8.
  const maxmem = 128 * N * r * p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, keyLen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>` */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, params, KEY_LEN);
  return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface Parsed {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function parse(stored: string): Parsed | undefined {
  const m = FORMAT.exec(stored);
  if (!m) return undefined;
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.logN < 1 || params.logN > 22 || params.r < 1 || params.p < 1) return undefined;
  const key = Buffer.from(m[5]!, "base64");
  return key.length >= 16 ? { params, salt: Buffer.from(m[4]!, "base64"), key } : undefined;
}

/** Constant-time check of `password` against a stored hash; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when the stored hash used weaker parameters than `current`. */
export function needsRehash(stored: string, current: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { logN, r, p } = parsed.params;
  return logN < current.logN || r < current.r || p < current.p;
}

/** Burns the same time as a real check, so an unknown user is not told apart by timing. */
export async function burnPasswordCheck(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<void> {
  await derive(password, Buffer.alloc(SALT_LEN), params, KEY_LEN);
}
