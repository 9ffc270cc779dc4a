/**
 * Shared pieces of the appendices' "Common Identifier Format": `&localpart:domain`, at most
 * 255 bytes, localparts of any non-surrogate code point except `:` and NUL.
 */
import { z } from "zod";

/** Every identifier with a sigil is at most 255 bytes of UTF-8. */
export const MAX_IDENTIFIER_BYTES = 255;

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// A lone surrogate is not a Unicode scalar value: no identifier may hold one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The lenient localpart of room IDs, aliases, v1 event IDs and historical user IDs. */
export function isOpaqueLocalpart(s: string): boolean {
  return !s.includes(":") && !s.includes("\0") && !LONE_SURROGATE.test(s);
}

/** Splits `&localpart:domain` at the first `:` (a localpart never holds one; a domain may). */
export function splitSigilled(s: string, sigil: string): { localpart: string; domain: string } | undefined {
  if (!s.startsWith(sigil)) return undefined;
  const colon = s.indexOf(":");
  if (colon === -1) return undefined;
  return { localpart: s.slice(1, colon), domain: s.slice(colon + 1) };
}

/** A zod schema that accepts what `parse` accepts and outputs its branded result. */
export function schemaFromParser<T extends string>(parse: (s: string) => T, what: string) {
  return z.string().transform((s, ctx): T => {
    try {
      return parse(s);
    } catch (e) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: e instanceof Error ? e.message : `Invalid ${what}` });
      return z.NEVER;
    }
  });
}

export class InvalidIdentifierError extends Error {
  constructor(
    readonly kind: string,
    readonly value: string,
    reason: string,
  ) {
    super(`Invalid ${kind} ${JSON.stringify(value.length > 300 ? value.slice(0, 300) + "…" : value)}: ${reason}`);
    this.name = "InvalidIdentifierError";
  }
}
