/**
 * Request validation at the HTTP edge: zod per route, failures as Matrix errors that name the
 * field (M_BAD_JSON for bodies, M_INVALID_PARAM for path and query). Never a 500. Text storage
 * cannot hold (NUL, unpaired surrogates) never gets this far: the HTTP server refuses it
 * (runtime's storable-text.ts).
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

/** Path parameters or the query string, parsed by `schema`. */
export function parseParams<S extends z.ZodTypeAny>(schema: S, raw: unknown, where: "path" | "query" = "path"): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new MatrixError("M_INVALID_PARAM", describeZodError(r.error, where));
  return r.data;
}

/** A JSON object of any content (event content, account data). */
export const jsonObject = z.record(z.unknown());
