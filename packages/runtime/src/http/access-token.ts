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
  const raw = q?.["access_token"];
  const fromQuery = typeof raw === "string" && raw !== "" ? raw : undefined;
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw new MatrixError("M_INVALID_PARAM", "Give the access token once: in the Authorization header or the query, not both");
  }
  return fromHeader ?? fromQuery;
}

/** Like accessTokenOf, but a request without a token is 401 M_MISSING_TOKEN. */
export function requireAccessToken(req: RequestLike): string {
  const token = accessTokenOf(req);
  if (token === undefined) throw new MatrixError("M_MISSING_TOKEN", "Missing access token");
  return token;
}
