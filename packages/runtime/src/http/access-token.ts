/**
 * The access token of a client-server request (spec: "Using access tokens"): the
 * `Authorization: Bearer <token>` header, or the deprecated `access_token` query parameter,
 * still accepted as the spec allows. Two different tokens in one request are refused.
 */
import { MatrixError } from "@dendrite-ts/protocol";

export interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
}

/** The token, or undefined when the request carries none. Throws on a malformed header. */
export function accessTokenOf(req: RequestLike): string | undefined {
  const header = req.headers["authorization"];
  const headerValue = Array.isArray(header) ? header[0] : header;
  let fromHeader: string | undefined;
  if (headerValue !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headerValue);
    if (!m) throw new MatrixError("M_MISSING_TOKEN", "The Authorization header must be 'Bearer <access token>'");
    fromHeader = m[1];
  }
  const q = req.query as Record<string, unknown> | undefined;
  const fromQuery = queryToken(q?.["access_token"]);
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw new MatrixError("M_INVALID_PARAM", "Give the access token once: in the Authorization header or the query, not both");
  }
  return fromHeader ?? fromQuery;
}

/**
 * `access_token` from the query: given twice (the query parser makes an array) it is still the
 * token when both say the same, and refused when they differ; it was read as no token at all.
 */
function queryToken(raw: unknown): string | undefined {
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string" && v !== "");
  if (new Set(values).size > 1) throw new MatrixError("M_INVALID_PARAM", "Give the access token once: access_token is in the query more than once, with different values");
  return values[0];
}

/** Like accessTokenOf, but a request without a token is 401 M_MISSING_TOKEN. */
export function requireAccessToken(req: RequestLike): string {
  const token = accessTokenOf(req);
  if (token === undefined) throw new MatrixError("M_MISSING_TOKEN", "Missing access token");
  return token;
}
