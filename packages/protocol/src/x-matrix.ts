/**
 * Request Authentication (server-server API): the request's method, URI, origin, destination
 * and JSON body are signed as a JSON object, and the signature travels in
 * `Authorization: X-Matrix origin="…",destination="…",key="…",sig="…"` (RFC 9110 §11.4 syntax).
 */
import type { SigningKey } from "./signing-key";
import { computeJsonSignature, verifyJsonSignature } from "./signing";

export interface XMatrixRequest {
  readonly method: string;
  /** The full path from `/_matrix/…`, with `?` and the query string if any. */
  readonly uri: string;
  readonly origin: string;
  readonly destination: string;
  /** The parsed JSON body, when the request has one. */
  readonly content?: unknown;
}

export interface XMatrixAuthorization {
  readonly origin: string;
  /** Optional for compatibility with servers older than v1.3; we always send it. */
  readonly destination: string | undefined;
  readonly key: string;
  readonly sig: string;
}

function requestJson(request: XMatrixRequest): Record<string, unknown> {
  const json: Record<string, unknown> = {
    method: request.method,
    uri: request.uri,
    origin: request.origin,
    destination: request.destination,
  };
  if (request.content !== undefined) json.content = request.content;
  return json;
}

// Server names, key IDs and base64 never need a backslash, but escape anyway so any value survives.
const quote = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** The `Authorization` header value for `request` signed with `key`. */
export function buildXMatrixAuthorization(request: XMatrixRequest, key: SigningKey): string {
  const sig = computeJsonSignature(requestJson(request), key);
  // One space after the scheme, lower-case names, no spaces around commas: what old servers read.
  return `X-Matrix origin=${quote(request.origin)},destination=${quote(request.destination)},key=${quote(key.keyId)},sig=${quote(sig)}`;
}

export class XMatrixParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XMatrixParseError";
  }
}

const isSpace = (c: string | undefined) => c === " " || c === "\t";

/** name=value pairs after the scheme; values are tokens or quoted strings with `\` escapes. */
function parseParams(s: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (isSpace(s[i])) i++;
  };
  while (i < s.length) {
    skipSpace();
    const eq = s.indexOf("=", i);
    if (eq === -1) throw new XMatrixParseError("Expected name=value");
    const name = s.slice(i, eq).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new XMatrixParseError(`Bad parameter name ${JSON.stringify(name)}`);
    i = eq + 1;
    let value = "";
    if (s[i] === '"') {
      i++;
      for (;;) {
        const c = s[i];
        if (c === undefined) throw new XMatrixParseError("Unterminated quoted value");
        i++;
        if (c === '"') break;
        if (c === "\\") {
          const next = s[i];
          if (next === undefined) throw new XMatrixParseError("Dangling backslash");
          value += next;
          i++;
        } else value += c;
      }
    } else {
      // Unquoted: a token, leniently extended (older servers send colons, base64 has / and =).
      const start = i;
      while (i < s.length && s[i] !== "," && s[i] !== '"' && !isSpace(s[i])) i++;
      value = s.slice(start, i);
      if (value === "") throw new XMatrixParseError(`Empty value for ${name}`);
    }
    if (params.has(name)) throw new XMatrixParseError(`Repeated parameter ${name}`);
    params.set(name, value);
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ",") throw new XMatrixParseError("Expected , between parameters");
      i++;
    }
  }
  return params;
}

/** Parses an `Authorization` header value. Throws `XMatrixParseError` if it is not X-Matrix. */
export function parseXMatrixAuthorization(header: string): XMatrixAuthorization {
  const match = /^x-matrix[ \t]+/i.exec(header.trim());
  if (match === null) throw new XMatrixParseError("Not an X-Matrix authorization");
  const params = parseParams(header.trim().slice(match[0].length));
  const origin = params.get("origin");
  const key = params.get("key");
  const sig = params.get("sig");
  if (origin === undefined || key === undefined || sig === undefined) {
    throw new XMatrixParseError("X-Matrix needs origin, key and sig");
  }
  return { origin, destination: params.get("destination"), key, sig };
}

export type XMatrixCheck = { ok: true } | { ok: false; reason: "wrong_destination" | "bad_signature" };

/**
 * Checks a parsed header against the request as we received it. `destination` is our own server
 * name: a header naming another server must be refused with 401 (spec, v1.3).
 */
export function verifyXMatrixAuthorization(
  auth: XMatrixAuthorization,
  request: { method: string; uri: string; destination: string; content?: unknown },
  publicKey: Uint8Array,
): XMatrixCheck {
  if (auth.destination !== undefined && auth.destination !== request.destination) {
    return { ok: false, reason: "wrong_destination" };
  }
  const signed = {
    ...requestJson({ ...request, origin: auth.origin }),
    signatures: { [auth.origin]: { [auth.key]: auth.sig } },
  };
  return verifyJsonSignature(signed, auth.origin, auth.key, publicKey) ? { ok: true } : { ok: false, reason: "bad_signature" };
}
