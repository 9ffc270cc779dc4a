/**
 * Who is asking: the access token of a request resolved to its user and device through
 * userapi. Every authenticated route starts here.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { requireAccessToken, type RequestLike } from "@dendrite-ts/runtime";
import type { ClientUserapi } from "./deps";
import { ok } from "./call";

export interface Requester {
  userId: string;
  deviceId: string;
  accessToken: string;
  isAdmin: boolean;
  isGuest: boolean;
}

export type Authenticate = (req: RequestLike) => Promise<Requester>;

export function createAuthenticator(userapi: Pick<ClientUserapi, "queryAccessToken">): Authenticate {
  return async (req) => {
    const accessToken = requireAccessToken(req);
    try {
      const body = await ok(userapi.queryAccessToken({ body: { accessToken } }));
      return {
        userId: body.userId,
        deviceId: body.deviceId,
        accessToken,
        isAdmin: body.isAdmin,
        isGuest: body.accountType === "guest",
      };
    } catch (e) {
      // No refresh tokens here, so a dead token is never a soft logout.
      if (e instanceof MatrixError && e.errcode === "M_UNKNOWN_TOKEN") {
        throw new MatrixError("M_UNKNOWN_TOKEN", e.message, { soft_logout: false });
      }
      throw e;
    }
  };
}
