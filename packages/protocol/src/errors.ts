/**
 * Matrix errors: one table of errcode → HTTP status, and an Error that carries both.
 * Every component throws `MatrixError`; the HTTP layer and the contract adapters turn it into
 * `{ errcode, error, ...extras }` with the table's status, the same in-process or remote.
 */

export const ERRCODE_STATUS = {
  M_FORBIDDEN: 403,
  M_UNKNOWN_TOKEN: 401,
  M_MISSING_TOKEN: 401,
  M_USER_LOCKED: 401,
  M_USER_SUSPENDED: 403,
  M_BAD_JSON: 400,
  M_NOT_JSON: 400,
  M_NOT_FOUND: 404,
  M_LIMIT_EXCEEDED: 429,
  M_UNRECOGNIZED: 404,
  M_UNKNOWN: 400,
  M_UNAUTHORIZED: 401,
  M_USER_DEACTIVATED: 403,
  M_USER_IN_USE: 400,
  M_INVALID_USERNAME: 400,
  M_ROOM_IN_USE: 400,
  M_BAD_ALIAS: 400,
  M_INVALID_ROOM_STATE: 400,
  M_THREEPID_IN_USE: 400,
  M_THREEPID_NOT_FOUND: 400,
  M_THREEPID_AUTH_FAILED: 401,
  M_THREEPID_DENIED: 403,
  M_SERVER_NOT_TRUSTED: 403,
  M_UNSUPPORTED_ROOM_VERSION: 400,
  M_INCOMPATIBLE_ROOM_VERSION: 400,
  M_BAD_STATE: 400,
  M_GUEST_ACCESS_FORBIDDEN: 403,
  M_CAPTCHA_NEEDED: 401,
  M_CAPTCHA_INVALID: 401,
  M_MISSING_PARAM: 400,
  M_INVALID_PARAM: 400,
  M_TOO_LARGE: 413,
  M_EXCLUSIVE: 400,
  M_RESOURCE_LIMIT_EXCEEDED: 403,
  M_CANNOT_LEAVE_SERVER_NOTICE_ROOM: 403,
  M_THREEPID_MEDIUM_NOT_SUPPORTED: 400,
  M_WEAK_PASSWORD: 400,
  M_DUPLICATE_ANNOTATION: 400,
  M_NOT_YET_UPLOADED: 504,
  M_CANNOT_OVERWRITE_MEDIA: 403,
  M_UNKNOWN_POS: 400,
  M_WRONG_ROOM_KEYS_VERSION: 403,
  M_INVALID_SIGNATURE: 400,
  M_UNABLE_TO_AUTHORISE_JOIN: 400,
  M_UNABLE_TO_GRANT_JOIN: 400,
  M_UNACTIONABLE: 400,
  M_URL_NOT_SET: 400,
  M_PROFILE_TOO_LARGE: 400,
  M_KEY_TOO_LARGE: 400,
  M_INVITE_BLOCKED: 403,
} as const;

export type Errcode = keyof typeof ERRCODE_STATUS;

/** Extra fields some errors carry in their JSON body (typed where the spec names them). */
export interface MatrixErrorExtras {
  retry_after_ms?: number;
  soft_logout?: boolean;
  room_version?: string;
  [key: string]: unknown;
}

export class MatrixError extends Error {
  readonly status: number;

  constructor(
    readonly errcode: Errcode,
    message: string,
    readonly extras: MatrixErrorExtras = {},
    /** Overrides the table's status where the spec says so for one endpoint (e.g. 401 on UIA). */
    status?: number,
  ) {
    super(message);
    this.name = "MatrixError";
    this.status = status ?? ERRCODE_STATUS[errcode];
  }

  /** The response body: `{ errcode, error, ...extras }`. */
  toJSON(): Record<string, unknown> {
    return { ...this.extras, errcode: this.errcode, error: this.message };
  }

  /** Rebuilds an error from a response body and status (used by HTTP clients of our contracts). */
  static fromBody(status: number, body: unknown): MatrixError | undefined {
    if (typeof body !== "object" || body === null) return undefined;
    const { errcode, error, ...extras } = body as Record<string, unknown>;
    if (typeof errcode !== "string" || !(errcode in ERRCODE_STATUS)) return undefined;
    return new MatrixError(errcode as Errcode, typeof error === "string" ? error : errcode, extras, status);
  }
}

export function isMatrixError(e: unknown): e is MatrixError {
  return e instanceof MatrixError;
}
