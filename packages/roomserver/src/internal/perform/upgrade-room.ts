/**
 * Upgrading a room (client-server API, "Room Upgrades", server behaviour): a replacement room
 * whose create event names its predecessor, the transferable state copied over, local aliases
 * moved, a tombstone in the old room, and the old room's power levels raised so nobody keeps
 * talking there.
 */
import { getRoomVersion, MatrixError, requiredPowerLevelForEvent, userPowerLevel } from "@dendrite-ts/protocol";
import type { MemberProfile } from "../../api";
import type { RoomserverContext } from "../context";
import type { Inputter } from "../input/inputter";
import { currentStateEvent } from "../query/state";
import { buildRoomEvent, requireRoom, type EventSpec } from "./build";
import { startRoom } from "./create-room";

/** The spec's recommended transferable state, power levels handled apart. */
const TRANSFERABLE = [
  "m.room.server_acl",
  "m.room.encryption",
  "m.room.name",
  "m.room.avatar",
  "m.room.topic",
  "m.room.guest_access",
  "m.room.history_visibility",
  "m.room.join_rules",
  "m.room.canonical_alias",
];

export interface UpgradeRequest {
  userId: string;
  roomId: string;
  newVersion: string;
  /** v12+: creators besides the upgrading user (never carried over implicitly). */
  additionalCreators?: string[];
  /** The upgrader's profile, for their join in the new room (as every member event of ours carries). */
  userProfile?: MemberProfile;
}

export async function upgradeRoom(ctx: RoomserverContext, inputter: Inputter, req: UpgradeRequest): Promise<{ replacementRoomId: string }> {
  const old = await requireRoom(ctx, req.roomId);
  const oldRules = getRoomVersion(old.roomVersion)!;
  const newRules = getRoomVersion(req.newVersion);
  if (!newRules) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `room version ${req.newVersion} is not supported`, { room_version: req.newVersion });

  const content = async (type: string) => (await currentStateEvent(ctx, old, type, ""))?.content as Record<string, unknown> | undefined;
  const oldCreate = await currentStateEvent(ctx, old, "m.room.create", "");
  const oldPl = await currentStateEvent(ctx, old, "m.room.power_levels", "");
  const member = await currentStateEvent(ctx, old, "m.room.member", req.userId);
  if ((member?.content as { membership?: unknown } | undefined)?.membership !== "join") throw new MatrixError("M_FORBIDDEN", "only a member can upgrade the room");
  const power = userPowerLevel(req.userId, oldPl, oldCreate, oldRules.authorization);
  if (power < requiredPowerLevelForEvent("m.room.tombstone", "", oldPl, oldRules.authorization)) {
    throw new MatrixError("M_FORBIDDEN", "you may not send m.room.tombstone in this room");
  }

  // 2. The replacement room.
  const latest = (await ctx.events.byNids(old.latestEventNids)).values().next().value;
  const roomType = (oldCreate?.content as { type?: unknown } | undefined)?.type;
  const createContent: Record<string, unknown> = {
    predecessor: { room_id: old.roomId, ...(latest ? { event_id: latest.id } : {}) },
    ...(typeof roomType === "string" ? { type: roomType } : {}),
    ...(newRules.authorization.privilegedCreators && req.additionalCreators?.length ? { additional_creators: req.additionalCreators } : {}),
  };
  const newId = await startRoom(ctx, inputter, newRules, req.userId, createContent);
  const send = (roomId: string, spec: EventSpec) => inputter.buildAndInput(roomId, () => buildRoomEvent(ctx, roomId, spec));
  const state = (roomId: string, type: string, c: Record<string, unknown>, stateKey = "") => send(roomId, { sender: req.userId, type, stateKey, content: c });

  // 3. Transferable state: join, power levels fit for the new version, then the rest.
  await state(newId, "m.room.member", { ...req.userProfile, membership: "join" }, req.userId);
  await state(newId, "m.room.power_levels", newPowerLevels(req, (oldPl?.content ?? {}) as Record<string, unknown>, power, newRules.authorization.privilegedCreators));
  // 4. Aliases move before the canonical alias is copied, so it points at aliases of the new room.
  for (const alias of await ctx.store.aliasesForRoom(old.roomId)) {
    await ctx.aliasWrites.run(alias, async () => {
      const found = await ctx.store.resolveAlias(alias);
      await ctx.store.deleteAlias(alias);
      await ctx.store.insertAlias(alias, newId, found?.creatorId ?? req.userId);
    });
  }
  for (const type of TRANSFERABLE) {
    const c = await content(type);
    if (c !== undefined) await state(newId, type, c);
  }
  if (await ctx.store.isPublished(old.roomId)) {
    await ctx.store.setPublished(newId, true);
    await ctx.store.setPublished(old.roomId, false);
  }

  // 5. The tombstone, and 6. the old room silenced where the user may change its power levels.
  await state(old.roomId, "m.room.tombstone", { body: "This room has been replaced", replacement_room: newId });
  const oldPlContent = (oldPl?.content ?? {}) as Record<string, unknown>;
  const usersDefault = typeof oldPlContent.users_default === "number" ? oldPlContent.users_default : 0;
  const restricted = Math.max(50, usersDefault + 1);
  await state(old.roomId, "m.room.power_levels", { ...oldPlContent, events_default: restricted, invite: restricted }).catch((e: unknown) => {
    ctx.logger.info({ err: e, room_id: old.roomId }, "could not restrict the upgraded room's power levels");
  });
  return { replacementRoomId: newId };
}

function newPowerLevels(req: UpgradeRequest, old: Record<string, unknown>, power: number, privilegedCreators: boolean): Record<string, unknown> {
  const users = { ...((old.users ?? {}) as Record<string, number>) };
  if (privilegedCreators) {
    // v12+: creators have infinite power and must not be listed.
    delete users[req.userId];
    for (const c of req.additionalCreators ?? []) delete users[c];
  } else {
    // From a v12 room the upgrader may have had infinite power: give the top level instead.
    users[req.userId] = Number.isFinite(power) ? Math.max(power, users[req.userId] ?? 0) : 100;
  }
  return { ...old, users };
}
