/**
 * Who is asking, for a component that serves client requests but keeps no tokens (syncapi,
 * mediaapi): the request's access token resolved through userapi's contract. A missing token is
 * 401 M_MISSING_TOKEN, an unknown one the contract's M_UNKNOWN_TOKEN.
 */
import { requireAccessToken, type RequestLike } from "@dendrite-ts/runtime";
import type { TokenInfo, UserapiForAuth } from "./api";

export interface Requester {
  userId: string;
  deviceId: string;
}

export async function requesterOf(req: RequestLike, userapi: UserapiForAuth): Promise<Requester> {
  const accessToken = requireAccessToken(req);
  // Errors arrive as MatrixErrors (M_UNKNOWN_TOKEN); a resolved call is the 200 body.
  const body = (await userapi.queryAccessToken({ body: { accessToken } })).body as TokenInfo;
  return { userId: body.userId, deviceId: body.deviceId };
}
