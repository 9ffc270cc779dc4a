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

/** The first string or object key in `value` that storage could not hold, if any. */
export function findUnstorableText(value: unknown, path: string): UnstorableText | undefined {
  if (typeof value === "string") {
    const reason = problemIn(value);
    return reason ? { path, reason } : undefined;
  }
  if (ArrayBuffer.isView(value)) return undefined; // a raw body (media): not text
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorableText(value[i], `${path}.${i}`);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === "object") {
    for (const k in value) {
      const reason = problemIn(k);
      if (reason) return { path: `${path}.${k}`, reason };
      const hit = findUnstorableText((value as Record<string, unknown>)[k], `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return undefined;
}
