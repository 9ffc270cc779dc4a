/**
 * The public room directory (client-server API, "Listing rooms"): the published rooms as
 * summaries of their current state, most joined members first (then by room ID, so the order is
 * stable), filtered and paged. Page tokens name the room a page ended (or began) at, so a room
 * joining or leaving the directory between pages shifts nothing the client has not seen yet.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { PduJson, PublicRoom, StateKeyTuple } from "../../api";
import type { RoomserverContext } from "../context";
import { filterEntries, pdusOf } from "./state";

export interface PublicRoomsRequest {
  limit?: number | undefined;
  since?: string | undefined;
  filter?: { searchTerm?: string | undefined; roomTypes?: (string | null)[] | undefined } | undefined;
}

export interface PublicRoomsPage {
  rooms: PublicRoom[];
  nextBatch?: string;
  prevBatch?: string;
  total: number;
}

/** The state a room's summary is made of. */
export const SUMMARY_STATE: StateKeyTuple[] = [
  "m.room.create",
  "m.room.name",
  "m.room.topic",
  "m.room.canonical_alias",
  "m.room.avatar",
  "m.room.join_rules",
  "m.room.history_visibility",
  "m.room.guest_access",
].map((type) => ({ type, stateKey: "" }));

export async function queryPublicRooms(ctx: RoomserverContext, req: PublicRoomsRequest): Promise<PublicRoomsPage> {
  const from = req.since === undefined ? undefined : parseToken(req.since);
  const rooms = (await publishedSummaries(ctx)).filter(matcher(req.filter)).sort(order);
  const limit = req.limit ?? rooms.length;
  let start = 0;
  let end = Math.min(rooms.length, limit);
  if (from?.forward) {
    start = firstIndex(rooms, (r) => order(r, from) > 0);
    end = Math.min(rooms.length, start + limit);
  } else if (from) {
    end = firstIndex(rooms, (r) => order(r, from) >= 0);
    start = Math.max(0, end - limit);
  }
  const page = rooms.slice(start, end);
  const first = page[0];
  const last = page[page.length - 1];
  return {
    rooms: page,
    ...(last && end < rooms.length ? { nextBatch: token(true, last) } : {}),
    ...(first && start > 0 ? { prevBatch: token(false, first) } : {}),
    total: rooms.length,
  };
}

/** Every published room we hold with someone in it (a room nobody is joined to cannot be joined). */
async function publishedSummaries(ctx: RoomserverContext): Promise<PublicRoom[]> {
  const infos = [];
  for (const roomId of await ctx.store.publishedRoomIds()) {
    const info = await ctx.store.roomInfo(roomId);
    if (info && info.stateSnapshotNid !== 0) infos.push(info);
  }
  const joined = await ctx.store.joinedCounts(infos.map((i) => i.roomNid));
  const out: PublicRoom[] = [];
  for (const info of infos) {
    const numJoinedMembers = joined.get(info.roomNid) ?? 0;
    if (numJoinedMembers === 0) continue;
    const entries = await filterEntries(ctx, await ctx.store.loadState(info.stateSnapshotNid), SUMMARY_STATE);
    const content = new Map((await pdusOf(ctx, entries)).map((ev: PduJson) => [ev.type as string, (ev.content ?? {}) as Record<string, unknown>]));
    out.push(summary(info.roomId, numJoinedMembers, (type) => content.get(type) ?? {}));
  }
  return out;
}

/** A room's directory entry from its joined count and its summary state's contents (empty when absent). */
export function summary(roomId: string, numJoinedMembers: number, content: (type: string) => Record<string, unknown>): PublicRoom {
  const str = (type: string, key: string) => {
    const v = content(type)[key];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const fields = {
    joinRule: str("m.room.join_rules", "join_rule"),
    name: str("m.room.name", "name"),
    topic: plainTopic(content("m.room.topic")),
    canonicalAlias: str("m.room.canonical_alias", "alias"),
    avatarUrl: str("m.room.avatar", "url"),
    roomType: str("m.room.create", "type"),
  };
  return {
    roomId,
    numJoinedMembers,
    worldReadable: content("m.room.history_visibility").history_visibility === "world_readable",
    guestCanJoin: content("m.room.guest_access").guest_access === "can_join",
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
}

/** The plain-text topic: m.topic's text/plain representation (mimetype absent means text/plain), else `topic`. */
function plainTopic(content: Record<string, unknown>): string | undefined {
  const reps = (content["m.topic"] as { "m.text"?: unknown } | undefined)?.["m.text"];
  if (Array.isArray(reps)) {
    for (const r of reps as { mimetype?: unknown; body?: unknown }[]) {
      if ((r.mimetype === undefined || r.mimetype === "text/plain") && typeof r.body === "string") return r.body;
    }
  }
  return typeof content.topic === "string" && content.topic !== "" ? content.topic : undefined;
}

function matcher(filter: PublicRoomsRequest["filter"]): (r: PublicRoom) => boolean {
  const term = filter?.searchTerm?.trim().toLowerCase();
  const types = filter?.roomTypes;
  return (r) => {
    if (types && !types.includes(r.roomType ?? null)) return false;
    if (!term) return true;
    return [r.name, r.topic, r.canonicalAlias].some((v) => v?.toLowerCase().includes(term));
  };
}

interface Key {
  numJoinedMembers: number;
  roomId: string;
}

function order(a: Key, b: Key): number {
  return b.numJoinedMembers - a.numJoinedMembers || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0);
}

function firstIndex<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  const i = xs.findIndex(pred);
  return i < 0 ? xs.length : i;
}

/** `n` (rooms after) or `p` (rooms before), the room's joined count, a dot, its room ID. */
function token(forward: boolean, r: Key): string {
  return `${forward ? "n" : "p"}${r.numJoinedMembers}.${r.roomId}`;
}

function parseToken(since: string): Key & { forward: boolean } {
  const m = /^([np])(\d{1,9})\.(!.+)$/.exec(since);
  if (!m) throw new MatrixError("M_INVALID_PARAM", `${since} is not a pagination token of this server`);
  return { forward: m[1] === "n", numJoinedMembers: Number(m[2]), roomId: m[3]! };
}
