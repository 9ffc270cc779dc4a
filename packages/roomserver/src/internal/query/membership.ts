/** Membership queries, answered from the memberships table (current state) or a past state. */
import type { PduJson } from "../../api";
import { serverOf, type RoomserverContext } from "../context";
import { eventNidsForKeys } from "../input/auth";
import { filterEntries, pdusOf, servable } from "./state";

/**
 * The user's membership per the room's current state: its member event, read from the cached
 * state and event caches (the memberships table holds the same, but costs a round trip; this is
 * asked before every send).
 */
export async function queryMembership(ctx: RoomserverContext, roomId: string, userId: string) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room || room.stateSnapshotNid === 0) return { roomExists: false, isInRoom: false, hasBeenInRoom: false };
  const [memberNid] = await eventNidsForKeys(ctx, await ctx.store.loadState(room.stateSnapshotNid), [["m.room.member", userId]]);
  const ev = memberNid === undefined ? undefined : (await ctx.events.byNids([memberNid])).get(memberNid);
  if (!ev) return { roomExists: true, isInRoom: false, hasBeenInRoom: false };
  const membership = String((ev.pdu.content as { membership?: unknown }).membership ?? "leave") as "join" | "invite" | "leave" | "ban" | "knock";
  return {
    roomExists: true,
    membership,
    eventId: ev.id,
    isInRoom: membership === "join",
    // A member event names the user once any membership was set; "been in" means joined at some point.
    hasBeenInRoom: membership === "join" || membership === "leave" || membership === "ban",
  };
}

export async function queryMembersOfRoom(ctx: RoomserverContext, roomId: string, joinedOnly: boolean, atEventId: string | undefined) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room || room.stateSnapshotNid === 0) return { roomExists: false, members: [] };
  let members: PduJson[];
  if (atEventId === undefined) {
    const rows = await ctx.store.roomMembers(room.roomNid, joinedOnly ? { membership: "join" } : {});
    const evs = await ctx.events.byNids(rows.map((r) => r.eventNid));
    members = [];
    for (const r of rows) {
      const ev = evs.get(r.eventNid);
      if (ev) members.push(await servable(ctx, ev));
    }
  } else {
    // The state when the event happened: the state after it (it may itself be a member event).
    const ev = (await ctx.events.byIds([atEventId])).get(atEventId);
    if (!ev || ev.roomNid !== room.roomNid) return { roomExists: true, members: [] };
    const state = await ctx.state.stateAfter(ev);
    members = await pdusOf(ctx, await filterEntries(ctx, state.entries, [{ type: "m.room.member", stateKey: "*" }]));
    if (joinedOnly) members = members.filter((m) => (m.content as { membership?: unknown }).membership === "join");
  }
  return { roomExists: true, members };
}

export async function queryRoomsForUser(ctx: RoomserverContext, userId: string, membership: string) {
  const userNid = (await ctx.store.stateKeyNids([userId])).get(userId);
  if (userNid === undefined) return { roomIds: [] };
  const roomNids = await ctx.store.roomsForUser(userNid, membership);
  const ids = await ctx.store.roomIdsByNid(roomNids);
  return { roomIds: roomNids.flatMap((n) => (ids.has(n) ? [ids.get(n)!] : [])).sort() };
}

export async function queryRedactionsOf(ctx: RoomserverContext, eventId: string) {
  const rows = await ctx.store.redactionsOf(eventId);
  return { redactions: rows.map((r) => ({ redactionEventId: r.redactionEventId, validated: r.validated })) };
}

export async function queryJoinedHosts(ctx: RoomserverContext, roomId: string) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room) return { serverNames: [] };
  const users = await ctx.store.stateKeysByNid(await ctx.store.joinedTargetNids(room.roomNid));
  return { serverNames: [...new Set([...users.values()].map(serverOf))].sort() };
}
