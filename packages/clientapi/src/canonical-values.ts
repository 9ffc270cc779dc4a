/**
 * Events are signed over canonical JSON, whose numbers are integers in [-(2^53)+1, 2^53-1]
 * with no fraction (spec: appendices, "Canonical JSON"; room version 6 made receivers enforce
 * it). Content with other numbers can never become an event we sign, in any room version, so
 * it is the client's mistake: 400 M_BAD_JSON naming the value, before the roomserver is asked.
 */
import { MatrixError } from "@dendrite-ts/protocol";

const MAX = Number.MAX_SAFE_INTEGER;

/** Throws M_BAD_JSON when `value` holds a number canonical JSON cannot carry. */
export function assertCanonicalValues(value: unknown, path = "body"): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new MatrixError("M_BAD_JSON", `${path}: ${value} is not an integer (canonical JSON has no floats)`);
    if (value > MAX || value < -MAX) throw new MatrixError("M_BAD_JSON", `${path}: ${value} is out of the canonical JSON integer range`);
  } else if (Array.isArray(value)) value.forEach((v, i) => assertCanonicalValues(v, `${path}.${i}`));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) assertCanonicalValues(v, `${path}.${k}`);
}
