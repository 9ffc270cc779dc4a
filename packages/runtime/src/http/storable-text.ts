/**
 * Text our storage cannot hold. PostgreSQL's text and jsonb refuse U+0000, and its json input
 * refuses an unpaired UTF-16 surrogate (`"\ud800"`, which JSON.parse accepts; canonical JSON
 * cannot encode one either). Either, anywhere in a request, would surface as a storage error — a
 * 500 — in whichever component stores it, so the HTTP edge refuses both, naming the field.
 */

export interface UnstorableText {
  /** Where: `body.content.body`, `path.roomId`, `query.from`. */
  readonly path: string;
  readonly reason: string;
}

const NUL = "NUL characters (U+0000) are not allowed";
const SURROGATE = "unpaired UTF-16 surrogates are not valid Unicode";

// Strings without NUL or surrogates (almost all) pass this one test.
const SUSPECT = /[\u0000\ud800-\udfff]/;

function problemIn(s: string): string | undefined {
  if (!SUSPECT.test(s)) return undefined;
  if (s.includes("\u0000")) return NUL;
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed() ? undefined : SURROGATE;
}

/**
 * How deep a request's JSON may nest. No Matrix body comes near it; without a bound, a body of a
 * few thousand brackets would overflow the stack of every recursive walk after this one (schema
 * checks, canonical JSON, redaction), a 500 instead of a client error.
 */
export const MAX_JSON_DEPTH = 512;
const TOO_DEEP = `nested more than ${MAX_JSON_DEPTH} levels deep`;

/** The first string or object key in `value` that storage could not hold, or nesting too deep, if any. */
export function findUnstorableText(value: unknown, path: string): UnstorableText | undefined {
  const hit = find(value, 0);
  if (!hit) return undefined;
  // The path is put together only for a hit, from the inside out: walking stays allocation-free.
  // Too deep names the whole body: its path would be hundreds of levels long.
  return { path: hit.reason === TOO_DEEP ? path : [path, ...hit.keys.reverse()].join("."), reason: hit.reason };
}

function find(value: unknown, depth: number): { keys: string[]; reason: string } | undefined {
  if (typeof value === "string") {
    const reason = problemIn(value);
    return reason ? { keys: [], reason } : undefined;
  }
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return undefined; // a raw body (media): not text
  if (depth === MAX_JSON_DEPTH) return { keys: [], reason: TOO_DEEP };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = find(value[i], depth + 1);
      if (hit) return hit.keys.push(String(i)), hit;
    }
  } else {
    for (const k in value) {
      const reason = problemIn(k);
      if (reason) return { keys: [k], reason };
      const hit = find((value as Record<string, unknown>)[k], depth + 1);
      if (hit) return hit.keys.push(k), hit;
    }
  }
  return undefined;
}
