/**
 * Every error an HTTP request can meet, turned into a Matrix error: `{ errcode, error }` with the
 * right status. Client mistakes keep their 4xx; a dependency that cannot be reached (PostgreSQL
 * restarting, a connection cut) is 503 `M_UNKNOWN`, an outage a client may retry; anything else
 * we did not expect becomes 500 `M_UNKNOWN` with a generic message (details go to the log, never
 * to the client).
 */
import { MatrixError, ERRCODE_STATUS, type Errcode } from "@dendrite-ts/protocol";

export interface MappedError {
  error: MatrixError;
  /** True when the server is at fault: log it at error level with the stack. */
  internal: boolean;
}

/** A MatrixError, or one from another copy of the protocol module (dual-package hazard). */
export function asMatrixError(e: unknown): MatrixError | undefined {
  if (e instanceof MatrixError) return e;
  if (
    e instanceof Error &&
    e.name === "MatrixError" &&
    typeof (e as { errcode?: unknown }).errcode === "string" &&
    typeof (e as { status?: unknown }).status === "number"
  ) {
    const m = e as unknown as MatrixError;
    return new MatrixError(m.errcode, m.message, m.extras ?? {}, m.status);
  }
  return undefined;
}

export function internalError(): MatrixError {
  return new MatrixError("M_UNKNOWN", "Internal server error", {}, 500);
}

export function unavailableError(): MatrixError {
  return new MatrixError("M_UNKNOWN", "A service this server depends on is unavailable; try again shortly", {}, 503);
}

/** Socket failures, and postgres.js's own names for a connection that went away. */
const OUTAGE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

/**
 * True when `e` (or what caused it) is a failure to reach something the server depends on, not a
 * bug: a refused or cut connection, or PostgreSQL saying it is shutting down, starting up or
 * lost the connection (SQLSTATE 57P01–57P03, class 08).
 */
export function isDependencyOutage(e: unknown): boolean {
  let c: unknown = e;
  for (let depth = 0; c instanceof Error && depth < 5; depth++, c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (OUTAGE_CODES.has(code)) return true;
    if (c.name === "PostgresError" && (code.startsWith("08") || /^57P0[123]$/.test(code))) return true;
  }
  return false;
}

interface FastifyishError extends Error {
  code?: string;
  statusCode?: number;
  validation?: Array<{ instancePath?: string; message?: string; params?: unknown }>;
  validationContext?: string;
}

export function mapError(e: unknown): MappedError {
  const m = asMatrixError(e);
  if (m) return { error: m, internal: m.status >= 500 };
  if (!(e instanceof Error)) return { error: internalError(), internal: true };
  if (isDependencyOutage(e)) return { error: unavailableError(), internal: true };
  const err = e as FastifyishError;

  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return client("M_TOO_LARGE", "Request body is too large");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return client("M_NOT_JSON", "Body is empty but Content-Type is application/json");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return client("M_NOT_JSON", `${err.message}; send a JSON body with Content-Type: application/json`);
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return client("M_BAD_JSON", "Request body size did not match Content-Length");
  }
  // fastify's JSON parser marks its syntax and prototype-poisoning errors with status 400.
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return client("M_NOT_JSON", `Request body is not valid JSON: ${err.message}`);
  }
  if (err.validation) {
    // A route's own JSON schema (fastify/ajv) rejected the input: name the field.
    const where = err.validationContext ?? "body";
    const parts = err.validation.map((v) => {
      const path = (v.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
      return `${where}${path ? "." + path : ""}: ${v.message ?? "invalid"}`;
    });
    return client(where === "body" ? "M_BAD_JSON" : "M_INVALID_PARAM", parts.join("; "));
  }
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    // Other client errors fastify raises itself (bad URL encoding, …).
    return { error: new MatrixError("M_UNKNOWN", err.message, {}, err.statusCode), internal: false };
  }
  return { error: internalError(), internal: true };
}

function client(errcode: Errcode, message: string): MappedError {
  return { error: new MatrixError(errcode, message, {}, ERRCODE_STATUS[errcode]), internal: false };
}
