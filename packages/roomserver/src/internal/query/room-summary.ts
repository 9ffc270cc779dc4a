/**
 * One room's summary (client-server API, "Room Summaries"): its directory entry plus its
 * version, encryption and, for restricted join rules, the rooms that let a user in. Whether the
 * asker may see it is the clientapi's call; this answers for any room we hold.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { PduJson, RoomSummary } from "../../api";
import type { RoomserverContext } from "../context";
import { SUMMARY_STATE, summary } from "./public-rooms";
import { filterEntries, pdusOf } from "./state";

const STATE = [...SUMMARY_STATE, { type: "m.room.encryption", stateKey: "" }];

export async function queryRoomSummary(ctx: RoomserverContext, roomId: string): Promise<RoomSummary> {
  const info = await ctx.store.roomInfo(roomId);
  if (!info || info.stateSnapshotNid === 0) throw new MatrixError("M_NOT_FOUND", "Room not found");
  const joined = (await ctx.store.joinedCounts([info.roomNid])).get(info.roomNid) ?? 0;
  const entries = await filterEntries(ctx, await ctx.store.loadState(info.stateSnapshotNid), STATE);
  const content = new Map((await pdusOf(ctx, entries)).map((ev: PduJson) => [ev.type as string, (ev.content ?? {}) as Record<string, unknown>]));
  const of = (type: string) => content.get(type) ?? {};
  const base = summary(roomId, joined, of);
  const algorithm = of("m.room.encryption").algorithm;
  const allowed = base.joinRule === "restricted" || base.joinRule === "knock_restricted" ? allowedRoomIds(of("m.room.join_rules").allow) : [];
  return {
    ...base,
    roomVersion: info.roomVersion,
    ...(typeof algorithm === "string" && algorithm !== "" ? { encryption: algorithm } : {}),
    ...(allowed.length > 0 ? { allowedRoomIds: allowed } : {}),
  };
}

/** The rooms of a restricted join rule's `allow` (entries of type m.room_membership). */
function allowedRoomIds(allow: unknown): string[] {
  if (!Array.isArray(allow)) return [];
  const out: string[] = [];
  for (const a of allow as { type?: unknown; room_id?: unknown }[]) {
    if (a?.type === "m.room_membership" && typeof a.room_id === "string" && !out.includes(a.room_id)) out.push(a.room_id);
  }
  return out;
}
