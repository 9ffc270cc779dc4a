/**
 * Request validation shared by both paths into an implementation: the HTTP mount (through
 * ts-rest's requestValidationErrorHandler) and the local client run the same zod checks and
 * turn failures into the same MatrixError, so a caller cannot tell which path it took.
 */
import { checkZodSchema } from "@ts-rest/core";
import type { AppRoute } from "@ts-rest/core";
import { MatrixError } from "@dendrite-ts/protocol";
import type { ZodError } from "zod";

export interface ValidationFailures {
  pathParams: ZodError | null;
  headers: ZodError | null;
  query: ZodError | null;
  body: ZodError | null;
}

/**
 * Body problems → 400 M_BAD_JSON; path, query and header problems → 400 M_INVALID_PARAM
 * (M_MISSING_PARAM when a required one is absent). The message names each bad field's path.
 */
export function validationError(f: ValidationFailures): MatrixError {
  const parts: string[] = [];
  const add = (where: string, e: ZodError | null) => {
    for (const i of e?.issues ?? []) {
      const path = [where, ...i.path.map(String)].join(".");
      parts.push(`${path}: ${i.message}`);
    }
  };
  add("params", f.pathParams);
  add("headers", f.headers);
  add("query", f.query);
  add("body", f.body);
  const message = parts.join("; ") || "Invalid request";
  if (f.body) return new MatrixError("M_BAD_JSON", message);
  const missing = [f.pathParams, f.headers, f.query].some((e) =>
    e?.issues.some((i) => i.code === "invalid_type" && i.received === "undefined"),
  );
  return new MatrixError(missing ? "M_MISSING_PARAM" : "M_INVALID_PARAM", message);
}

/** Validates a request the way @ts-rest/fastify does; returns the parsed parts or throws. */
export function validateRequest(
  route: AppRoute,
  raw: { params: unknown; headers: unknown; query: unknown; body: unknown },
): { params: unknown; headers: unknown; query: unknown; body: unknown } {
  const params = checkZodSchema(raw.params, route.pathParams, { passThroughExtraKeys: true });
  const headers = checkZodSchema(raw.headers, route.headers, { passThroughExtraKeys: true });
  const query = checkZodSchema(raw.query, route.query);
  const body = checkZodSchema(raw.body, "body" in route ? route.body : null);
  if (!params.success || !headers.success || !query.success || !body.success) {
    throw validationError({
      pathParams: params.success ? null : params.error,
      headers: headers.success ? null : headers.error,
      query: query.success ? null : query.error,
      body: body.success ? null : body.error,
    });
  }
  return { params: params.data, headers: headers.data, query: query.data, body: body.data };
}
