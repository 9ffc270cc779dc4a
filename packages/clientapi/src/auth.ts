/**
 * Who is asking: the access token of a request resolved to its user and device through
 * userapi. Every authenticated route starts here. It also records when (and from where) a
 * device was last seen, at most once per SEEN_EVERY_MS per device: userapi leaves throttling
 * to its callers. A locked account's token answers 401 M_USER_LOCKED from userapi itself; only
 * the two logout routes opt out (`allowLocked`), as the spec's "Account locking" allows.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { requireAccessToken, type RequestLike } from "@dendrite-ts/runtime";
import { ok } from "./call";
import type { ClientapiDeps, ClientUserapi } from "./deps";

export interface Requester {
  userId: string;
  deviceId: string;
  accessToken: string;
  isAdmin: boolean;
  isGuest: boolean;
  /** Suspended by an admin: routes refuse what suspension forbids (suspension.ts). */
  isSuspended: boolean;
}

export type AuthRequest = RequestLike & { ip?: string };
export interface AuthOptions {
  /** Only POST /logout and /logout/all: a locked account may still end its sessions. */
  allowLocked?: boolean;
}
export type Authenticate = (req: AuthRequest, opts?: AuthOptions) => Promise<Requester>;

export const SEEN_EVERY_MS = 5 * 60_000;

export function createAuthenticator(
  userapi: Pick<ClientUserapi, "queryAccessToken" | "markDeviceSeen">,
  logger: ClientapiDeps["logger"],
  now: () => number,
): Authenticate {
  const lastSeen = new Map<string, number>();

  const markSeen = (req: AuthRequest, userId: string, deviceId: string) => {
    const key = `${userId}|${deviceId}`;
    const t = now();
    if (t - (lastSeen.get(key) ?? -Infinity) < SEEN_EVERY_MS) return;
    if (lastSeen.size > 100_000) lastSeen.clear();
    lastSeen.set(key, t);
    const ua = req.headers["user-agent"];
    const userAgent = Array.isArray(ua) ? ua[0] : ua;
    // Not awaited: a request never waits for, or fails because of, bookkeeping.
    userapi
      .markDeviceSeen({
        body: { userId, deviceId, ...(req.ip !== undefined ? { ip: req.ip } : {}), ...(userAgent !== undefined ? { userAgent } : {}) },
      })
      .catch((err: unknown) => logger.debug({ err, userId, deviceId }, "could not record device last seen"));
  };

  return async (req, opts = {}) => {
    const accessToken = requireAccessToken(req);
    let info;
    try {
      info = await ok(userapi.queryAccessToken({ body: { accessToken, ...(opts.allowLocked ? { allowLocked: true } : {}) } }));
    } catch (e) {
      // No refresh tokens here, so a dead token is never a soft logout.
      if (e instanceof MatrixError && e.errcode === "M_UNKNOWN_TOKEN") {
        throw new MatrixError("M_UNKNOWN_TOKEN", e.message, { soft_logout: false });
      }
      throw e;
    }
    markSeen(req, info.userId, info.deviceId);
    return {
      userId: info.userId,
      deviceId: info.deviceId,
      accessToken,
      isAdmin: info.isAdmin,
      isGuest: info.accountType === "guest",
      isSuspended: info.suspended,
    };
  };
}
