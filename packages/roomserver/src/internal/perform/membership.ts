/**
 * Membership changes by our users in rooms we hold: join (including restricted joins whose
 * allowed room is local), leave / reject invite, invite, kick, ban, unban, forget. Each builds
 * an m.room.member event and runs it through input; the auth rules have the final word and
 * their rule id comes back in M_FORBIDDEN.
 */
import { isDeepStrictEqual } from "node:util";
import { getRoomVersion, MatrixError, namedPowerLevel, userPowerLevel } from "@dendrite-ts/protocol";
import type { MemberProfile, PduJson } from "../../api";
import type { RoomInfo } from "../../storage";
import { serverOf, type RoomserverContext } from "../context";
import type { Inputter } from "../input/inputter";
import { buildRoomEvent, requireRoom } from "./build";
import { currentStateEvent } from "../query/state";

async function sendMember(
  ctx: RoomserverContext,
  inputter: Inputter,
  roomId: string,
  sender: string,
  target: string,
  content: Record<string, unknown>,
): Promise<string> {
  const result = await inputter.buildAndInput(roomId, () =>
    buildRoomEvent(ctx, roomId, { sender, type: "m.room.member", stateKey: target, content }),
  );
  return result.eventId;
}

/** The user's membership and the event that set it, from current state. */
async function currentMember(
  ctx: RoomserverContext,
  room: RoomInfo,
  userId: string,
): Promise<{ membership: string; eventId: string; content: unknown } | undefined> {
  const userNid = (await ctx.store.stateKeyNids([userId])).get(userId);
  const row = userNid === undefined ? undefined : await ctx.store.membership(room.roomNid, userNid);
  if (!row) return undefined;
  const ev = (await ctx.events.byNids([row.eventNid])).get(row.eventNid);
  return ev ? { membership: row.membership, eventId: ev.id, content: ev.pdu.content } : undefined;
}

function requireLocal(ctx: RoomserverContext, userId: string): void {
  if (serverOf(userId) !== ctx.serverName) throw new MatrixError("M_FORBIDDEN", `${userId} is not a user of this server`);
}

export async function resolveRoomIdOrAlias(ctx: RoomserverContext, roomIdOrAlias: string): Promise<string> {
  if (!roomIdOrAlias.startsWith("#")) return roomIdOrAlias;
  const found = await ctx.store.resolveAlias(roomIdOrAlias);
  if (!found) throw new MatrixError("M_NOT_FOUND", `alias ${roomIdOrAlias} is unknown here`);
  return found.roomId;
}

export async function join(
  ctx: RoomserverContext,
  inputter: Inputter,
  userId: string,
  roomIdOrAlias: string,
  content: Record<string, unknown> = {},
): Promise<{ roomId: string; eventId: string }> {
  requireLocal(ctx, userId);
  const roomId = await resolveRoomIdOrAlias(ctx, roomIdOrAlias);
  const room = await requireRoom(ctx, roomId); // remote joins: federationsender, later
  // Joining again with nothing new to say (no content, or the join's own: same profile, same
  // reason) is a no-op: clients retry /join, and each retry would be one more event to sync.
  const current = await currentMember(ctx, room, userId);
  const joinContent: Record<string, unknown> = { ...content, membership: "join" };
  if (current?.membership === "join" && (Object.keys(content).length === 0 || isDeepStrictEqual(current.content, joinContent))) {
    return { roomId, eventId: current.eventId };
  }
  const authoriser = await restrictedJoinAuthoriser(ctx, room, userId);
  if (authoriser) joinContent.join_authorised_via_users_server = authoriser;
  return { roomId, eventId: await sendMember(ctx, inputter, roomId, userId, userId, joinContent) };
}

/**
 * For a restricted room the user is not already in or invited to: a local member who may
 * invite, when the user is joined to one of the allowed rooms (which must be local to know).
 */
async function restrictedJoinAuthoriser(ctx: RoomserverContext, room: RoomInfo, userId: string): Promise<string | undefined> {
  const rules = getRoomVersion(room.roomVersion)!;
  if (!rules.authorization.restrictedJoins) return undefined;
  const joinRules = await currentStateEvent(ctx, room, "m.room.join_rules", "");
  const rule = (joinRules?.content as { join_rule?: unknown } | undefined)?.join_rule;
  if (rule !== "restricted" && rule !== "knock_restricted") return undefined;
  const own = await currentStateEvent(ctx, room, "m.room.member", userId);
  const membership = (own?.content as { membership?: unknown } | undefined)?.membership;
  if (membership === "join" || membership === "invite") return undefined;

  const allow = (joinRules?.content as { allow?: unknown }).allow;
  const allowedRooms = Array.isArray(allow)
    ? allow.flatMap((a) => ((a as { type?: unknown }).type === "m.room_membership" && typeof (a as { room_id?: unknown }).room_id === "string" ? [(a as { room_id: string }).room_id] : []))
    : [];
  const userNid = (await ctx.store.stateKeyNids([userId])).get(userId);
  let qualifies = false;
  for (const allowed of allowedRooms) {
    const info = await ctx.store.roomInfo(allowed);
    if (info && userNid !== undefined && (await ctx.store.membership(info.roomNid, userNid))?.membership === "join") qualifies = true;
  }
  if (!qualifies) throw new MatrixError("M_FORBIDDEN", "member.join.not_allowed: you are not a member of any room this restricted room allows");

  const pl = await currentStateEvent(ctx, room, "m.room.power_levels", "");
  const create = await currentStateEvent(ctx, room, "m.room.create", "");
  const inviteLevel = namedPowerLevel(pl, "invite", rules.authorization);
  const members = await ctx.store.roomMembers(room.roomNid, { membership: "join", localOnly: true });
  const names = await ctx.store.stateKeysByNid(members.map((m) => m.targetNid));
  for (const m of members) {
    const candidate = names.get(m.targetNid);
    if (candidate && userPowerLevel(candidate, pl, create, rules.authorization) >= inviteLevel) return candidate;
  }
  throw new MatrixError("M_UNABLE_TO_GRANT_JOIN", "no local member may authorise this join");
}

/** Knock on a room we hold (v7+, join rule knock or knock_restricted); an invite answers it. */
export async function knock(
  ctx: RoomserverContext,
  inputter: Inputter,
  userId: string,
  roomIdOrAlias: string,
  reason?: string,
  content: Record<string, unknown> = {},
): Promise<{ roomId: string; eventId: string }> {
  requireLocal(ctx, userId);
  const roomId = await resolveRoomIdOrAlias(ctx, roomIdOrAlias);
  await requireRoom(ctx, roomId);
  const knockContent = { ...content, membership: "knock", ...(reason ? { reason } : {}) };
  return { roomId, eventId: await sendMember(ctx, inputter, roomId, userId, userId, knockContent) };
}

export async function leave(ctx: RoomserverContext, inputter: Inputter, userId: string, roomId: string, reason?: string): Promise<string> {
  requireLocal(ctx, userId);
  const room = await requireRoom(ctx, roomId);
  // Leaving a room already left is a no-op.
  const current = await currentMember(ctx, room, userId);
  if (current?.membership === "leave") return current.eventId;
  return sendMember(ctx, inputter, roomId, userId, userId, { membership: "leave", ...(reason ? { reason } : {}) });
}

export async function invite(
  ctx: RoomserverContext,
  inputter: Inputter,
  sender: string,
  roomId: string,
  invitee: string,
  opts: { reason?: string; isDirect?: boolean; inviteeProfile?: MemberProfile },
): Promise<string> {
  requireLocal(ctx, sender);
  // A remote invitee's server must countersign (federation /invite): federationsender's job, later.
  if (serverOf(invitee) !== ctx.serverName) throw new MatrixError("M_UNRECOGNIZED", "inviting users of other servers is not supported yet");
  const content = {
    ...opts.inviteeProfile,
    membership: "invite",
    ...(opts.reason ? { reason: opts.reason } : {}),
    ...(opts.isDirect ? { is_direct: true } : {}),
  };
  return sendMember(ctx, inputter, roomId, sender, invitee, content);
}

export async function changeMembership(
  ctx: RoomserverContext,
  inputter: Inputter,
  action: "kick" | "ban" | "unban",
  req: { sender: string; roomId: string; target: string; reason?: string },
): Promise<string> {
  requireLocal(ctx, req.sender);
  const room = await requireRoom(ctx, req.roomId);
  const current = (await currentStateEvent(ctx, room, "m.room.member", req.target)) as PduJson | undefined;
  const membership = (current?.content as { membership?: unknown } | undefined)?.membership;
  // M_BAD_STATE: a change that cannot apply to the target's state (the spec's own example is an
  // unban of a user who is not banned), with the 403 these endpoints list for refusals; someone
  // merely not in the room stays M_FORBIDDEN.
  if (action === "unban" && membership !== "ban") throw new MatrixError("M_BAD_STATE", `${req.target} is not banned`, {}, 403);
  if (action === "kick" && membership === "ban") throw new MatrixError("M_BAD_STATE", `${req.target} is banned: unban them instead`, {}, 403);
  if (action === "kick" && membership !== "join" && membership !== "invite" && membership !== "knock") {
    throw new MatrixError("M_FORBIDDEN", `${req.target} is not in the room`);
  }
  const content = { membership: action === "ban" ? "ban" : "leave", ...(req.reason ? { reason: req.reason } : {}) };
  return sendMember(ctx, inputter, req.roomId, req.sender, req.target, content);
}

export async function forget(ctx: RoomserverContext, userId: string, roomId: string): Promise<void> {
  const room = await ctx.store.roomInfo(roomId);
  const userNid = (await ctx.store.stateKeyNids([userId])).get(userId);
  const row = room && userNid !== undefined ? await ctx.store.membership(room.roomNid, userNid) : undefined;
  // Never in it, or no such room: nothing to forget (leaving.yaml lists no 404; Synapse answers 200).
  if (!room || !row) return;
  if (row.membership === "join" || row.membership === "invite" || row.membership === "knock") {
    throw new MatrixError("M_UNKNOWN", "leave the room before forgetting it");
  }
  await ctx.store.setForgotten(room.roomNid, userNid!, true);
}
