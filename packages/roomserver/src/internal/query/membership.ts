/** Membership queries, answered from the memberships table (current state) or a past state. */
import type { PduJson } from "../../api";
import { serverOf, type RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { eventNidsForKeys } from "../input/auth";
import { filterEntries, pdusOf, servable } from "./state";

/**
 * The user's membership per the room's current state: its member event, read from the cached
 * state and event caches (the memberships table holds the same, but costs a round trip; this is
 * asked before every send).
 *
 * hasBeenInRoom: the user joined at some point and has not forgotten the room since leaving
 * (leaving.yaml: a forgotten room's history is no longer theirs to read). An invite rejected,
 * a ban before ever joining, is not "been in".
 */
export async function queryMembership(ctx: RoomserverContext, roomId: string, userId: string) {
  const room = await ctx.store.roomInfo(roomId);
  if (!room || room.stateSnapshotNid === 0) return { roomExists: false, isInRoom: false, hasBeenInRoom: false };
  const [memberNid] = await eventNidsForKeys(ctx, await ctx.store.loadState(room.stateSnapshotNid), [["m.room.member", userId]]);
  const ev = memberNid === undefined ? undefined : (await ctx.events.byNids([memberNid])).get(memberNid);
  if (!ev) return { roomExists: true, isInRoom: false, hasBeenInRoom: false };
  const membership = membershipOf(ev);
  const departed = membership === "leave" || membership === "ban";
  return {
    roomExists: true,
    membership,
    eventId: ev.id,
    isInRoom: membership === "join",
    hasBeenInRoom: membership === "join" || (departed && !(await forgotten(ctx, room.roomNid, userId)) && (await everJoined(ctx, ev, userId))),
  };
}

type Membership = "join" | "invite" | "leave" | "ban" | "knock";

function membershipOf(ev: StoredEvent): Membership {
  return String((ev.pdu.content as { membership?: unknown }).membership ?? "leave") as Membership;
}

async function forgotten(ctx: RoomserverContext, roomNid: number, userId: string): Promise<boolean> {
  const userNid = (await ctx.store.stateKeyNids([userId])).get(userId);
  return userNid !== undefined && (await ctx.store.membership(roomNid, userNid))?.forgotten === true;
}

/** Member events one user has had in a room rarely run long; past this many we say "joined". */
const MEMBER_HISTORY_LIMIT = 1000;

/**
 * Whether the user's membership chain, from `ev` back through the member event in the state
 * before each, contains a join.
 */
async function everJoined(ctx: RoomserverContext, ev: StoredEvent, userId: string): Promise<boolean> {
  let cur: StoredEvent | undefined = ev;
  for (let i = 0; cur && i < MEMBER_HISTORY_LIMIT; i++) {
    if (membershipOf(cur) === "join") return true;
    if (cur.stateSnapshotNid === 0) return false; // an outlier: what came before is unknown here
    const [prevNid] = await eventNidsForKeys(ctx, await ctx.store.loadState(cur.stateSnapshotNid), [["m.room.member", userId]]);
    cur = prevNid === undefined ? undefined : (await ctx.events.byNids([prevNid])).get(prevNid);
  }
  return cur !== undefined;
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
