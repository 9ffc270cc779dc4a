/**
 * The one rule for how a call ends, identical for localClient and httpClient:
 *
 * - impl resolves `{ status < 400 }` (or a 4xx/5xx whose body is not a Matrix error)
 *   → the call resolves `{ status, body, headers }`.
 * - impl throws `MatrixError`, or resolves `{ status >= 400, body: { errcode, error } }`
 *   → the call rejects with a `MatrixError` of the same errcode, message, status and extras.
 *   (Over HTTP the two are indistinguishable, so in-process they are treated alike.)
 * - impl throws a dependency outage (http/errors.ts: PostgreSQL restarting, a connection cut) → the
 *   call rejects with 503 `M_UNKNOWN`; anything else → `MatrixError("M_UNKNOWN", "Internal server
 *   error")`, status 500. Over HTTP the server logs the original; in-process it is attached as
 *   `cause` (not part of the observable contract, only for debugging).
 * - invalid input → rejects with the MatrixError from validation.ts (M_BAD_JSON / M_INVALID_PARAM).
 * - transport failures (connection refused, …) exist only over HTTP: 502 `M_UNKNOWN`, the
 *   component unreachable (http-client.ts).
 *
 * So callers write `const { body } = await client.route(...)` and catch MatrixError.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { asMatrixError, internalError, isDependencyOutage, unavailableError } from "../http/errors";

export function errorFromResponse(status: number, body: unknown): MatrixError | undefined {
  if (status < 400) return undefined;
  return MatrixError.fromBody(status, body);
}

/** Maps whatever an impl threw to the MatrixError the caller will see. */
export function errorFromThrown(e: unknown): MatrixError {
  const m = asMatrixError(e);
  if (m) return new MatrixError(m.errcode, m.message, { ...m.extras }, m.status);
  const err = isDependencyOutage(e) ? unavailableError() : internalError();
  (err as { cause?: unknown }).cause = e;
  return err;
}
