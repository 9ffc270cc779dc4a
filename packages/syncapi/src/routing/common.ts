/** What every route of the syncapi shares: who is asking, and query parameters checked. */
import { MatrixError } from "@dendrite-ts/protocol";
import type { SyncStore } from "../storage";
import { loadRoomVisibility, type RoomVisibility } from "../sync/visibility";
import type { CatchUp } from "./catch-up";

export { requesterOf as authenticate, type Requester } from "@dendrite-ts/userapi";
export { queryString } from "@dendrite-ts/runtime";

/** Both client API versions the sync family answers on (r0 for older clients). */
export const CLIENT_PREFIXES = ["/_matrix/client/v3", "/_matrix/client/r0"] as const;

/** A `limit` query parameter: a non-negative integer, however large, brought down to `max`. */
export function parseLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", "limit must be a non-negative integer");
  return Math.min(Number(raw), max);
}

export function pathParam(params: unknown, name: string): string {
  const v = (params as Record<string, unknown>)[name];
  if (typeof v !== "string" || v === "") throw new MatrixError("M_INVALID_PARAM", `missing ${name}`);
  return v;
}

export interface RoomAccess {
  visibility: RoomVisibility;
  /** The user's latest membership position when they may not read on past it: what they may still read up to. */
  leftAt?: number;
  member: boolean;
}

const NOT_A_MEMBER = "You aren't a member of the room and weren't previously a member of the room";

/** Spec "Room History Visibility", rule 4: an invitee reads only where the room says `invited` (world_readable: anyone). */
const inviteesRead = (v: string) => v === "invited" || v === "world_readable";

/** RoomAccess from our tables; `allowed` false means 403. */
async function readRoomAccess(store: SyncStore, roomId: string, userId: string): Promise<RoomAccess & { allowed: boolean; worldReadable: boolean }> {
  const [history, visibility] = await Promise.all([
    store.memberships.roomMembershipHistory(userId, roomId),
    loadRoomVisibility(store, roomId, userId),
  ]);
  const last = history[history.length - 1];
  const current = last?.membership;
  const now = visibility.visibilityAfter(Number.MAX_SAFE_INTEGER);
  const worldReadable = now === "world_readable";
  const invitedNowReads = current === "invite" && inviteesRead(now);
  const everReader =
    history.some((m) => m.membership === "join" || (m.membership === "invite" && inviteesRead(visibility.visibilityAfter(m.pos)))) || invitedNowReads;
  return {
    visibility,
    member: current === "join",
    allowed: everReader || worldReadable,
    worldReadable,
    ...(last && current !== "join" && !invitedNowReads ? { leftAt: last.pos } : {}),
  };
}

/**
 * Whether the user may read the room at all: they are or were joined, or invited where history
 * visibility lets invitees read, or it is world_readable now; a room the user forgot only in
 * the last case. Otherwise 403 M_FORBIDDEN (spec: "You aren't a member of the room and weren't
 * previously a member of the room"). When our tables do not show the user joined, the
 * roomserver's view of their membership is waited for first (read-after-write: a join just
 * acknowledged may not have reached us yet).
 */
export async function requireRoomAccess(deps: { store: SyncStore; catchUp: CatchUp }, roomId: string, userId: string): Promise<RoomAccess> {
  let access = await readRoomAccess(deps.store, roomId, userId);
  if (access.member) return access;
  const held = await deps.catchUp.membership(roomId, userId);
  if (held.known) access = await readRoomAccess(deps.store, roomId, userId);
  if (held.forgotten && !access.member) {
    // Spec (leaving.yaml, forget): the user can no longer retrieve the room's history.
    if (!access.worldReadable) throw new MatrixError("M_FORBIDDEN", "You have forgotten this room");
    return { visibility: access.visibility, member: false };
  }
  if (!access.allowed) throw new MatrixError("M_FORBIDDEN", NOT_A_MEMBER);
  return { visibility: access.visibility, member: access.member, ...(access.leftAt !== undefined ? { leftAt: access.leftAt } : {}) };
}
