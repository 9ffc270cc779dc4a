/**
 * Upgrading a room (client-server API, "Room Upgrades", server behaviour): a replacement room
 * whose create event names its predecessor, the transferable state and the bans copied over, a
 * tombstone in the old room, local aliases and the directory listing moved, and the old room's
 * power levels raised so nobody keeps talking there.
 *
 * The only permission asked for is the tombstone's. Until the replacement room is complete
 * nothing outside it changes: a failure there leaves the old room, its aliases and its listing
 * as they were (the upgrader leaves the half-built room).
 */
import { getRoomVersion, MatrixError, requiredPowerLevelForEvent, userPowerLevel, type RoomVersionRules } from "@dendrite-ts/protocol";
import type { MemberProfile, PduJson } from "../../api";
import type { RoomInfo } from "../../storage";
import type { RoomserverContext } from "../context";
import type { Inputter } from "../input/inputter";
import { currentStateEvent, filterEntries, pdusOf } from "../query/state";
import { buildRoomEvent, requireRoom } from "./build";
import { startRoom } from "./create-room";
import { replacementPowerLevels, silencedPowerLevels } from "./upgrade-power-levels";

/** The spec's recommended transferable state (power levels handled apart), and the canonical alias. */
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

type Content = Record<string, unknown>;
type Upgrade = { userId: string; done: Promise<{ replacementRoomId: string }> };

/** Upgrades under way, per roomserver and old room: a client's retry waits for the first request. */
const underWay = new WeakMap<RoomserverContext, Map<string, Upgrade>>();

export async function upgradeRoom(ctx: RoomserverContext, inputter: Inputter, req: UpgradeRequest): Promise<{ replacementRoomId: string }> {
  let rooms = underWay.get(ctx);
  if (!rooms) underWay.set(ctx, (rooms = new Map()));
  const running = rooms.get(req.roomId);
  if (running) {
    if (running.userId !== req.userId) throw new MatrixError("M_BAD_STATE", "an upgrade of this room is already in progress");
    return running.done;
  }
  const done = upgrade(ctx, inputter, req);
  rooms.set(req.roomId, { userId: req.userId, done });
  try {
    return await done;
  } finally {
    rooms.delete(req.roomId);
  }
}

async function upgrade(ctx: RoomserverContext, inputter: Inputter, req: UpgradeRequest): Promise<{ replacementRoomId: string }> {
  const old = await requireRoom(ctx, req.roomId);
  const oldRules = getRoomVersion(old.roomVersion)!;
  const newRules = getRoomVersion(req.newVersion);
  if (!newRules) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `room version ${req.newVersion} is not supported`, { room_version: req.newVersion });

  // 1. The one permission: sending m.room.tombstone in the old room.
  const oldCreate = await currentStateEvent(ctx, old, "m.room.create", "");
  const oldPl = await currentStateEvent(ctx, old, "m.room.power_levels", "");
  const member = await currentStateEvent(ctx, old, "m.room.member", req.userId);
  if ((member?.content as { membership?: unknown } | undefined)?.membership !== "join") throw new MatrixError("M_FORBIDDEN", "only a member can upgrade the room");
  const power = userPowerLevel(req.userId, oldPl, oldCreate, oldRules.authorization);
  if (power < requiredPowerLevelForEvent("m.room.tombstone", "", oldPl, oldRules.authorization)) {
    throw new MatrixError("M_FORBIDDEN", "you may not send m.room.tombstone in this room");
  }
  // Already upgraded: the same user's retry gets its replacement; anyone else is refused.
  const tombstone = await currentStateEvent(ctx, old, "m.room.tombstone", "");
  const replaced = (tombstone?.content as { replacement_room?: unknown } | undefined)?.replacement_room;
  if (tombstone && typeof replaced === "string") {
    if (tombstone.sender === req.userId && (await ctx.store.roomInfo(replaced))) return { replacementRoomId: replaced };
    throw new MatrixError("M_BAD_STATE", `this room has already been upgraded to ${replaced}`);
  }

  // 2. The replacement room, 3. its state.
  const latest = (await ctx.events.byNids(old.latestEventNids)).values().next().value;
  const newId = await startRoom(ctx, inputter, newRules, req.userId, replacementCreateContent(old, latest?.id, oldCreate, newRules, req));
  try {
    await fillReplacement(ctx, inputter, req, old, newId, newRules, power, (oldPl?.content ?? {}) as Content, oldCreate);
    // 5. (before 4, as Synapse) The tombstone: if it fails, nothing has moved yet.
    await sendState(ctx, inputter, req.userId, old.roomId, "m.room.tombstone", { body: "This room has been replaced", replacement_room: newId });
  } catch (e) {
    await sendState(ctx, inputter, req.userId, newId, "m.room.member", { membership: "leave" }, req.userId).catch((err: unknown) => {
      ctx.logger.warn({ err, room_id: newId }, "could not leave a replacement room whose upgrade failed");
    });
    throw e;
  }

  // 4. Local aliases and the directory listing move; the old room's canonical alias no longer names them.
  await moveAliases(ctx, req.userId, old.roomId, newId);
  if (await ctx.store.isPublished(old.roomId)) {
    await ctx.store.setPublished(newId, true);
    await ctx.store.setPublished(old.roomId, false);
  }
  const oldCanonical = await currentStateEvent(ctx, old, "m.room.canonical_alias", "");
  if (oldCanonical && Object.keys(oldCanonical.content as Content).length > 0) {
    await sendState(ctx, inputter, req.userId, old.roomId, "m.room.canonical_alias", {}).catch((err: unknown) => {
      ctx.logger.info({ err, room_id: old.roomId }, "could not clear the upgraded room's canonical alias");
    });
  }
  // 6. The old room silenced, where the user may change its power levels.
  await sendState(ctx, inputter, req.userId, old.roomId, "m.room.power_levels", silencedPowerLevels((oldPl?.content ?? {}) as Content)).catch((err: unknown) => {
    ctx.logger.info({ err, room_id: old.roomId }, "could not restrict the upgraded room's power levels");
  });
  return { replacementRoomId: newId };
}

function sendState(ctx: RoomserverContext, inputter: Inputter, sender: string, roomId: string, type: string, content: Content, stateKey = "") {
  return inputter.buildAndInput(roomId, () => buildRoomEvent(ctx, roomId, { sender, type, stateKey, content }));
}

/** Predecessor, the room type, m.federate (a room kept to this server stays so), additional creators. */
function replacementCreateContent(old: RoomInfo, lastEventId: string | undefined, oldCreate: PduJson | undefined, newRules: RoomVersionRules, req: UpgradeRequest): Content {
  const c = (oldCreate?.content ?? {}) as Content;
  return {
    predecessor: { room_id: old.roomId, ...(lastEventId ? { event_id: lastEventId } : {}) },
    ...(typeof c.type === "string" ? { type: c.type } : {}),
    ...(typeof c["m.federate"] === "boolean" ? { "m.federate": c["m.federate"] } : {}),
    ...(newRules.authorization.privilegedCreators && req.additionalCreators?.length ? { additional_creators: req.additionalCreators } : {}),
  };
}

/**
 * The upgrader's join, power levels that let them send everything that follows, the
 * transferable state, a space's children, the bans, then the real power levels.
 */
async function fillReplacement(
  ctx: RoomserverContext,
  inputter: Inputter,
  req: UpgradeRequest,
  old: RoomInfo,
  newId: string,
  newRules: RoomVersionRules,
  power: number,
  oldPlContent: Content,
  oldCreate: PduJson | undefined,
): Promise<void> {
  const state = (type: string, content: Content, stateKey = "") => sendState(ctx, inputter, req.userId, newId, type, content, stateKey);
  const creators = newRules.authorization.privilegedCreators ? [req.userId, ...(req.additionalCreators ?? [])] : undefined;
  const pl = replacementPowerLevels(req.userId, oldPlContent, power, creators);

  await state("m.room.member", { ...req.userProfile, membership: "join" }, req.userId);
  await state("m.room.power_levels", pl.initial);
  for (const type of TRANSFERABLE) {
    const ev = await currentStateEvent(ctx, old, type, "");
    if (ev !== undefined) await state(type, ev.content as Content);
  }
  const allOf = async (type: string) => pdusOf(ctx, await filterEntries(ctx, await ctx.store.loadState(old.stateSnapshotNid), [{ type, stateKey: "*" }]));
  if ((oldCreate?.content as { type?: unknown } | undefined)?.type === "m.space") {
    // An empty child event is a child removed from the space.
    for (const child of await allOf("m.space.child")) {
      if (Object.keys(child.content as Content).length > 0) await state("m.space.child", child.content as Content, child.state_key as string);
    }
  }
  for (const m of await allOf("m.room.member")) {
    const c = m.content as { membership?: unknown; reason?: unknown };
    if (c.membership !== "ban") continue;
    await state("m.room.member", { membership: "ban", ...(typeof c.reason === "string" ? { reason: c.reason } : {}) }, m.state_key as string).catch((err: unknown) => {
      // As Synapse: a ban the upgrader may not carry over (a banned user above them) does not stop the upgrade.
      ctx.logger.info({ err, room_id: newId, user_id: m.state_key }, "could not carry a ban over to the replacement room");
    });
  }
  if (pl.final) await state("m.room.power_levels", pl.final);
}

async function moveAliases(ctx: RoomserverContext, userId: string, oldId: string, newId: string): Promise<void> {
  for (const alias of await ctx.store.aliasesForRoom(oldId)) {
    await ctx.aliasWrites.run(alias, async () => {
      const found = await ctx.store.resolveAlias(alias);
      // Taken away from the old room meanwhile: left as it is now.
      if (found?.roomId !== oldId) return;
      await ctx.store.deleteAlias(alias);
      await ctx.store.insertAlias(alias, newId, found.creatorId || userId);
    });
  }
}
