/** A query parameter a route takes once: its value, undefined when absent, 400 M_INVALID_PARAM when repeated. */
import { MatrixError } from "@dendrite-ts/protocol";

export function queryString(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new MatrixError("M_INVALID_PARAM", `${name} must be given once`);
  return v;
}
