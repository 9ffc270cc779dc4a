/**
 * Request validation at the HTTP edge: zod per route, failures as Matrix errors that name the
 * field (M_BAD_JSON for bodies, M_MISSING_PARAM or M_INVALID_PARAM for path and query). Never a
 * 500. Text storage cannot hold (NUL, unpaired surrogates) never gets this far: the HTTP server
 * refuses it (runtime's storable-text.ts).
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";

/** "field.path: message; …" from a zod error. */
export function describeZodError(err: z.ZodError, where: string): string {
  return err.issues
    .map((i) => {
      const path = i.path.join(".");
      return `${where}${path ? "." + path : ""}: ${i.message}`;
    })
    .join("; ");
}

/**
 * A JSON body parsed by `schema`. A missing body counts as `{}` (clients send none to /logout,
 * /join …). The HTTP server reads a body of any content type as JSON (runtime's
 * createHttpServer), so what arrives here is already parsed.
 */
export function parseBody<S extends z.ZodTypeAny>(schema: S, raw: unknown): z.output<S> {
  let body = raw;
  if (body === undefined || body === null || body === "") body = {};
  else if (Buffer.isBuffer(body)) {
    throw new MatrixError("M_NOT_JSON", "Request body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new MatrixError("M_BAD_JSON", "The request body must be a JSON object");
  }
  const r = schema.safeParse(body);
  if (!r.success) throw new MatrixError("M_BAD_JSON", describeZodError(r.error, "body"));
  return r.data;
}

/**
 * A body the spec requires, parsed by `schema` (account data and tags, whose body is the content
 * stored): none at all is M_NOT_JSON, as an empty body sent as application/json already is
 * (runtime's mapError), and a JSON null is M_BAD_JSON like any other non-object, where
 * parseBody would read both as `{}`.
 */
export function parseRequiredBody<S extends z.ZodTypeAny>(schema: S, raw: unknown): z.output<S> {
  if (raw === undefined || raw === "") throw new MatrixError("M_NOT_JSON", "A JSON object body is required");
  if (raw === null) throw new MatrixError("M_BAD_JSON", "The request body must be a JSON object");
  return parseBody(schema, raw);
}

/**
 * Path parameters or the query string, parsed by `schema`: M_MISSING_PARAM when a required one
 * is absent (named), M_INVALID_PARAM when one is there but wrong.
 */
export function parseParams<S extends z.ZodTypeAny>(schema: S, raw: unknown, where: "path" | "query" = "path"): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const missing = r.error.issues.filter((i) => i.code === "invalid_type" && i.received === "undefined");
  if (missing.length > 0) {
    throw new MatrixError("M_MISSING_PARAM", missing.map((i) => `${where}.${i.path.join(".")}: required`).join("; "));
  }
  throw new MatrixError("M_INVALID_PARAM", describeZodError(r.error, where));
}

/** A JSON object of any content (event content, account data). */
export const jsonObject = z.record(z.unknown());
