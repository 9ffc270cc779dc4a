/**
 * Canonical JSON (appendices, "Canonical JSON"): the shortest UTF-8 JSON encoding, object keys
 * sorted by Unicode code point, integers only in [-(2**53)+1, (2**53)-1], no floats.
 *
 * This sits on every hot path (hashing, signing, verifying), so it is a hand-written recursive
 * serialiser: strings go through JSON.stringify, whose escapes (\b \t \n \f \r \" \\ and
 * lower-case \u00XX for other controls, nothing else) are exactly the grammar's.
 */

export class CanonicalJsonError extends Error {
  constructor(
    message: string,
    /** Where in the value the problem is, as a dotted path (`content.body`, `prev_events.0`). */
    readonly path: string,
  ) {
    super(path ? `${message} at ${path}` : message);
    this.name = "CanonicalJsonError";
  }
}

export interface CanonicalJsonOptions {
  /**
   * Room versions 1–5 may hold numbers outside the canonical range (appendices warning: servers
   * SHOULD handle them). When true, such numbers are written as JavaScript prints them instead
   * of throwing. Never use this for anything we create.
   */
  readonly allowNonCanonicalNumbers?: boolean;
}

/** The canonical JSON text of `value`. Throws `CanonicalJsonError` for anything not JSON. */
export function canonicalJson(value: unknown, options?: CanonicalJsonOptions): string {
  try {
    return encodeValue(value, options?.allowNonCanonicalNumbers === true);
  } catch (e) {
    if (e instanceof EncodeFailure) throw new CanonicalJsonError(e.message, e.segments.join("."));
    throw e;
  }
}

/** The canonical JSON of `value` as UTF-8 bytes (what is hashed and signed). */
export function canonicalJsonBytes(value: unknown, options?: CanonicalJsonOptions): Uint8Array {
  return Buffer.from(canonicalJson(value, options), "utf8");
}

// Keys made only of code units below the surrogate range sort the same by UTF-16 code unit
// (Array.prototype.sort's default) as by code point; only keys with surrogates need more.
const HAS_SURROGATE = /[\ud800-\udfff]/;

const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

// Strings without quotes, backslashes, controls or surrogates are written as they are.
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Thrown while encoding; the path is filled in on the way back up (no cost when nothing fails). */
class EncodeFailure extends Error {
  readonly segments: (string | number)[] = [];
}

function encodeString(s: string): string {
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  // A lone surrogate cannot be encoded as UTF-8, and JSON.stringify would write it as \udXXX,
  // an escape the canonical grammar does not allow.
  if (HAS_SURROGATE.test(s) && !isWellFormed(s)) throw new EncodeFailure("Lone UTF-16 surrogate in string");
  return JSON.stringify(s);
}

function encodeNumber(n: number, lenient: boolean): string {
  if (Number.isSafeInteger(n)) return n === 0 ? "0" : String(n); // -0 is written as 0
  if (lenient && Number.isFinite(n)) return JSON.stringify(n);
  if (!Number.isFinite(n)) throw new EncodeFailure(`Number ${n} is not valid JSON`);
  if (!Number.isInteger(n)) throw new EncodeFailure(`Float ${n} is not allowed in canonical JSON`);
  throw new EncodeFailure(`Integer ${n} is outside [-(2**53)+1, (2**53)-1]`);
}

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  keys.sort();
  for (const k of keys) {
    if (HAS_SURROGATE.test(k)) return keys.sort(compareCodePoints);
  }
  return keys;
}

function encodeChild(value: unknown, lenient: boolean, key: string | number): string {
  try {
    return encodeValue(value, lenient);
  } catch (e) {
    if (e instanceof EncodeFailure) e.segments.unshift(key);
    throw e;
  }
}

function encodeValue(value: unknown, lenient: boolean): string {
  switch (typeof value) {
    case "string":
      return encodeString(value);
    case "number":
      return encodeNumber(value, lenient);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          out += encodeChild(value[i], lenient, i);
        }
        return out + "]";
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
        throw new EncodeFailure(`${name} is not a plain JSON object`);
      }
      const obj = value as Record<string, unknown>;
      let out = "{";
      let first = true;
      for (const key of sortedKeys(obj)) {
        if (!first) out += ",";
        first = false;
        out += encodeString(key);
        out += ":";
        out += encodeChild(obj[key], lenient, key);
      }
      return out + "}";
    }
    default:
      throw new EncodeFailure(`${typeof value} is not a JSON value`);
  }
}
