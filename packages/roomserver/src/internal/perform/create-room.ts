/**
 * Creating a room (client-server API, "Creation"), events in the spec's order: create, the
 * creator's join, power levels (with the override), canonical alias, the preset's join rules /
 * history visibility / guest access, initial_state, name, topic, then invites.
 */
import { buildEvent, DEFAULT_ROOM_VERSION, getRoomVersion, isValidUserId, MatrixError, parseRoomAlias, parseUserId, type RoomVersionRules } from "@dendrite-ts/protocol";
import type { CreateRoomRequest, PduJson } from "../../api";
import type { RoomserverContext } from "../context";
import { serverOf } from "../context";
import type { Inputter } from "../input/inputter";
import { buildRoomEvent, type EventSpec } from "./build";

type Preset = NonNullable<CreateRoomRequest["preset"]>;

const PRESETS: Record<Preset, { joinRule: string; history: string; guest: string; inviteesAreAdmins: boolean }> = {
  private_chat: { joinRule: "invite", history: "shared", guest: "can_join", inviteesAreAdmins: false },
  trusted_private_chat: { joinRule: "invite", history: "shared", guest: "can_join", inviteesAreAdmins: true },
  public_chat: { joinRule: "public", history: "shared", guest: "forbidden", inviteesAreAdmins: false },
};

function powerLevels(req: CreateRoomRequest, preset: Preset, privilegedCreators: boolean): Record<string, unknown> {
  const users: Record<string, number> = {};
  // v12: creators (trusted invitees among them, see createContent) have infinite power and must not be listed.
  if (!privilegedCreators) {
    users[req.creator] = 100;
    if (PRESETS[preset].inviteesAreAdmins) for (const u of req.invite ?? []) if (u !== req.creator) users[u] = 100;
  }
  const base: Record<string, unknown> = {
    users,
    users_default: 0,
    events: {
      "m.room.name": 50,
      "m.room.power_levels": 100,
      "m.room.history_visibility": 100,
      "m.room.canonical_alias": 50,
      "m.room.avatar": 50,
      // v12 (create_room.yaml step 3): explicitly above state_default; 150 (as Synapse) is above the admins' 100 too.
      "m.room.tombstone": privilegedCreators ? 150 : 100,
      "m.room.server_acl": 100,
      "m.room.encryption": 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
    historical: 100,
  };
  return { ...base, ...(req.powerLevelContentOverride ?? {}) };
}

/**
 * The create event's content as asked. v12 trusted_private_chat: the invitees become additional
 * creators (the same power as the creator; create_room.yaml creation_content), deduplicated.
 */
function createContent(req: CreateRoomRequest, preset: Preset, rules: RoomVersionRules): Record<string, unknown> {
  const content = { ...(req.creationContent ?? {}) };
  if (!rules.authorization.privilegedCreators || !PRESETS[preset].inviteesAreAdmins || (req.invite ?? []).length === 0) return content;
  const asked = Array.isArray(content.additional_creators) ? (content.additional_creators as string[]) : [];
  content.additional_creators = [...new Set([...asked, ...(req.invite ?? []).filter((u) => u !== req.creator)])];
  return content;
}

export async function createRoom(ctx: RoomserverContext, inputter: Inputter, req: CreateRoomRequest): Promise<{ roomId: string; roomAlias?: string }> {
  const alias = req.roomAliasName === undefined ? undefined : `#${req.roomAliasName}:${ctx.serverName}`;
  if (alias === undefined) return create(ctx, inputter, req, undefined);
  // Taken only once the room exists: the check, the room and the alias under the alias's queue,
  // so a second request for it waits and gets M_ROOM_IN_USE instead of a room without its alias.
  return ctx.aliasWrites.run(alias, () => create(ctx, inputter, req, alias));
}

async function create(
  ctx: RoomserverContext,
  inputter: Inputter,
  req: CreateRoomRequest,
  alias: string | undefined,
): Promise<{ roomId: string; roomAlias?: string }> {
  const version = req.roomVersion ?? ctx.defaultRoomVersion ?? DEFAULT_ROOM_VERSION;
  const rules = getRoomVersion(version);
  if (!rules) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `room version ${version} is not supported`, { room_version: version });
  try {
    parseUserId(req.creator);
  } catch {
    throw new MatrixError("M_INVALID_PARAM", `creator ${req.creator} is not a user ID`);
  }
  if (serverOf(req.creator) !== ctx.serverName) throw new MatrixError("M_FORBIDDEN", "only local users create rooms here");
  const remote = (req.invite ?? []).filter((u) => serverOf(u) !== ctx.serverName);
  // Checked before anything is created: a remote invite needs federation (federationsender), later.
  if (remote.length > 0) throw new MatrixError("M_UNRECOGNIZED", `inviting users of other servers is not supported yet: ${remote.join(", ")}`);
  const preset: Preset = req.preset ?? (req.visibility === "public" ? "public_chat" : "private_chat");
  const extra = req.creationContent?.additional_creators;
  if (rules.authorization.privilegedCreators && extra !== undefined && !(Array.isArray(extra) && extra.every((u) => typeof u === "string" && isValidUserId(u)))) {
    throw new MatrixError("M_BAD_JSON", "creationContent.additional_creators: must be an array of user IDs");
  }
  if (alias !== undefined) {
    try {
      parseRoomAlias(alias);
    } catch {
      throw new MatrixError("M_INVALID_PARAM", `${alias} is not a valid alias`);
    }
    if (await ctx.store.resolveAlias(alias)) throw new MatrixError("M_ROOM_IN_USE", `${alias} is already taken`);
  }

  const roomId = await startRoom(ctx, inputter, rules, req.creator, createContent(req, preset, rules));
  const id = roomId;
  const send = (spec: EventSpec) => inputter.buildAndInput(id, () => buildRoomEvent(ctx, id, spec));
  const state = (type: string, content: Record<string, unknown>, stateKey = "") => send({ sender: req.creator, type, stateKey, content });

  const profileOf = (userId: string) => req.memberContent?.[userId] ?? {};
  await state("m.room.member", { ...profileOf(req.creator), membership: "join" }, req.creator);
  await state("m.room.power_levels", powerLevels(req, preset, rules.authorization.privilegedCreators));
  if (alias !== undefined) {
    if (!(await ctx.store.insertAlias(alias, roomId, req.creator))) throw new MatrixError("M_ROOM_IN_USE", `${alias} is already taken`);
    await state("m.room.canonical_alias", { alias });
  }
  const p = PRESETS[preset];
  await state("m.room.join_rules", { join_rule: p.joinRule });
  await state("m.room.history_visibility", { history_visibility: p.history });
  await state("m.room.guest_access", { guest_access: p.guest });
  for (const s of req.initialState ?? []) await state(s.type, s.content, s.stateKey ?? "");
  if (req.name !== undefined) await state("m.room.name", { name: req.name });
  if (req.topic !== undefined) await state("m.room.topic", { topic: req.topic });
  for (const invitee of req.invite ?? []) {
    await state("m.room.member", { ...profileOf(invitee), membership: "invite", ...(req.isDirect ? { is_direct: true } : {}) }, invitee);
  }
  if (req.visibility === "public") await ctx.store.setPublished(roomId, true);
  return alias === undefined ? { roomId } : { roomId, roomAlias: alias };
}

/**
 * Sends a new room's create event (content plus `room_version`, and `creator` where the version
 * wants it) and returns the room ID: ours to choose before v12, the create event's hash from v12.
 */
export async function startRoom(
  ctx: RoomserverContext,
  inputter: Inputter,
  rules: RoomVersionRules,
  creator: string,
  content: Record<string, unknown>,
): Promise<string> {
  const createContent: Record<string, unknown> = { ...content, room_version: rules.id };
  if (rules.authorization.creatorFromContent) createContent.creator = creator;
  else delete createContent.creator;
  const roomId = rules.eventFormat.roomIdFromCreateEvent ? undefined : `!${randomOpaque()}:${ctx.serverName}`;
  const create = buildEvent({
    roomVersion: rules,
    ...(roomId !== undefined ? { roomId } : {}),
    sender: creator,
    type: "m.room.create",
    stateKey: "",
    content: createContent,
    prevEvents: [],
    authEvents: [],
    depth: 1,
    originServerTs: uniqueCreateTs(),
    serverName: ctx.serverName,
    key: ctx.signingKey,
  });
  const [created] = await inputter.inputSync([{ kind: "new", event: create.pdu as unknown as PduJson, sendAsServer: ctx.serverName }]);
  if (created?.status !== "accepted") throw new MatrixError("M_ROOM_IN_USE", "a room with this exact create event exists already");
  return roomId ?? `!${created.eventId.slice(1)}`;
}

// v12 room IDs are the create event's hash: two identical create events (same creator, content
// and millisecond) would be one room. Our create events never share a timestamp.
let lastCreateTs = 0;
function uniqueCreateTs(): number {
  lastCreateTs = Math.max(Date.now(), lastCreateTs + 1);
  return lastCreateTs;
}

function randomOpaque(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("base64url");
}
