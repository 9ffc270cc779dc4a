/** What every route of the syncapi shares: who is asking, and query parameters checked. */
import { MatrixError } from "@dendrite-ts/protocol";
import { requireAccessToken, type RequestLike } from "@dendrite-ts/runtime";
import type { TokenInfo, UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import { loadRoomVisibility, type RoomVisibility } from "../sync/visibility";

export interface Requester {
  userId: string;
  deviceId: string;
}

/** Both client API versions the sync family answers on (r0 for older clients). */
export const CLIENT_PREFIXES = ["/_matrix/client/v3", "/_matrix/client/r0"] as const;

export async function authenticate(req: RequestLike, userapi: Pick<UserapiForSync, "queryAccessToken">): Promise<Requester> {
  const accessToken = requireAccessToken(req);
  // Errors arrive as MatrixErrors (M_UNKNOWN_TOKEN); a resolved call is the 200 body.
  const body = (await userapi.queryAccessToken({ body: { accessToken } })).body as TokenInfo;
  return { userId: body.userId, deviceId: body.deviceId };
}

export function queryString(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new MatrixError("M_INVALID_PARAM", `${name} must be given once`);
  return v;
}

/** A `limit` query parameter: a non-negative integer, at most `max`. */
export function parseLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", "limit must be a non-negative integer");
  return Math.min(Number(raw), max);
}

export function pathParam(params: unknown, name: string): string {
  const v = (params as Record<string, unknown>)[name];
  if (typeof v !== "string" || v === "") throw new MatrixError("M_INVALID_PARAM", `missing ${name}`);
  return v;
}

export interface RoomAccess {
  visibility: RoomVisibility;
  /** The user's latest membership position when it is not join/invite: what they may still read up to. */
  leftAt?: number;
  member: boolean;
}

/**
 * Whether the user may read the room at all: they are or were a member, or it is
 * world_readable now. Otherwise 403 M_FORBIDDEN (spec: "You aren't a member of the room and
 * weren't previously a member of the room").
 */
export async function requireRoomAccess(store: SyncStore, roomId: string, userId: string): Promise<RoomAccess> {
  const [history, visibility] = await Promise.all([
    store.memberships.roomMembershipHistory(userId, roomId),
    loadRoomVisibility(store, roomId, userId),
  ]);
  const last = history[history.length - 1];
  const wasMember = history.some((m) => m.membership === "join" || m.membership === "invite");
  if (!wasMember && visibility.visibilityAfter(Number.MAX_SAFE_INTEGER) !== "world_readable") {
    throw new MatrixError("M_FORBIDDEN", "You aren't a member of the room and weren't previously a member of the room");
  }
  const current = last?.membership;
  return {
    visibility,
    member: current === "join",
    ...(last && current !== "join" && current !== "invite" ? { leftAt: last.pos } : {}),
  };
}
