/**
 * One input event, in the order of "Checks performed on receipt of a PDU": valid format, auth
 * against its auth events, state before it (resolved if prev events diverge), auth against that
 * state, soft-fail against current state; then commit. Runs inside the room's queue.
 */
import { MatrixError, getRoomVersion } from "@dendrite-ts/protocol";
import type { InputResult, InputRoomEvent } from "../../api";
import type { RoomInfo, StateEntry } from "../../storage";
import { normaliseEntries } from "../../storage/state-entries";
import type { StateAt } from "../state";
import type { RoomserverContext } from "../context";
import { authAgainstAuthEvents, authAgainstState, type AuthOutcome } from "./auth";
import { commitEvent } from "./commit";
import { createEventRoomVersion, parseEvent, type ParsedEvent } from "./parse";

/** The room an input event is for, known before the event is parsed (the version decides the format). */
export function roomIdOfInput(input: InputRoomEvent): string | undefined {
  const roomId = input.event.room_id;
  if (typeof roomId === "string") return roomId;
  return undefined; // a v12 create event: its room ID comes from its hash, after parsing
}

export interface ProcessOptions {
  /**
   * The event was built and signed here a moment ago: no stored event or redaction can name
   * its ID yet, so the look-ups for "seen before?" and "redacted before it arrived?" are skipped
   * (the insert still refuses a duplicate).
   */
  fresh?: boolean;
}

export async function processInputEvent(ctx: RoomserverContext, input: InputRoomEvent, opts: ProcessOptions = {}): Promise<InputResult> {
  const isCreate = input.event.type === "m.room.create" && input.event.state_key === "";
  const roomId = roomIdOfInput(input);
  let room = roomId === undefined ? undefined : await ctx.store.roomInfo(roomId);
  const version = isCreate ? createEventRoomVersion(input.event) : (room?.roomVersion ?? input.roomVersion);
  if (version === undefined) throw new MatrixError("M_NOT_FOUND", `room ${roomId ?? "?"} is unknown here`);
  if (!getRoomVersion(version)) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", `room version ${version} is not supported`, { room_version: version });
  const ev = parseEvent(input.event, version, opts.fresh ? ctx.builtEvents.get(input.event) : undefined);

  const existing = opts.fresh ? undefined : (await ctx.events.byIds([ev.eventId])).get(ev.eventId);
  // An outlier may come back as a timeline event once its state is known; anything else is a repeat.
  if (existing && existing.rejected) {
    // Seen and rejected before: the same verdict again (a sync caller gets M_FORBIDDEN again).
    const reason = existing.rejectionReason ?? "rejected";
    return { eventId: ev.eventId, status: "rejected", rule: reason.split(":")[0]!, reason };
  }
  if (existing && !(existing.outlier && input.kind !== "outlier")) return { eventId: ev.eventId, status: "duplicate" };
  const outlierNid = existing?.nid;

  room ??= await ctx.store.roomInfo(ev.roomId);
  if (!room) {
    if (!isCreate && input.kind !== "outlier") throw new MatrixError("M_NOT_FOUND", `room ${ev.roomId} is unknown here`);
    const roomNid = await ctx.store.assignRoomNid(ev.roomId, version);
    room = (await ctx.store.roomInfoByNid(roomNid))!;
  }

  const byAuthEvents = await authAgainstAuthEvents(ctx, ev);
  if (!byAuthEvents.allowed) return reject(ctx, input, ev, room, undefined, byAuthEvents, outlierNid);
  const fresh = opts.fresh === true;
  if (input.kind === "outlier") return commitEvent(ctx, { input, ev, room, stateBefore: undefined, status: "accepted", fresh });

  const stateBefore = input.stateEventIds ? await givenState(ctx, room, input.stateEventIds) : await stateFromPrevEvents(ctx, ev, version);

  const byState = await authAgainstState(ctx, ev, stateBefore.entries);
  if (!byState.allowed) return reject(ctx, input, ev, room, stateBefore, byState, outlierNid);

  if (input.kind === "new" && room.stateSnapshotNid !== 0 && room.stateSnapshotNid !== stateBefore.snapshotNid && !(await onTip(ctx, ev, room))) {
    const current = await ctx.store.loadState(room.stateSnapshotNid);
    const byCurrent = await authAgainstState(ctx, ev, current);
    if (!byCurrent.allowed) {
      ctx.logger.info({ event_id: ev.eventId, room_id: ev.roomId, rule: byCurrent.rule }, "soft-failed event");
      return commitEvent(ctx, { input, ev, room, stateBefore, status: "soft_failed", rule: byCurrent.rule, reason: byCurrent.reason, outlierNid, fresh });
    }
  }
  return commitEvent(ctx, { input, ev, room, stateBefore, status: "accepted", outlierNid, fresh });
}

async function stateFromPrevEvents(ctx: RoomserverContext, ev: ParsedEvent, version: string): Promise<StateAt> {
  const prevs = await ctx.events.byIds(ev.prevEventIds);
  const missing = ev.prevEventIds.filter((id) => !prevs.has(id) || prevs.get(id)!.outlier);
  if (missing.length > 0) {
    // Fetching missing events is federation's job (get_missing_events, or input with stateEventIds).
    throw new MatrixError("M_BAD_STATE", `prev_events not known here: ${missing.join(", ")}`);
  }
  return ctx.state.stateAfterAll(version, [...prevs.values()]);
}

/** The state the caller vouches for (send_join, /state_ids): stored, accepted state events of the room. */
async function givenState(ctx: RoomserverContext, room: RoomInfo, stateEventIds: readonly string[]): Promise<StateAt> {
  const found = await ctx.events.byIds(stateEventIds);
  const entries: StateEntry[] = [];
  for (const id of stateEventIds) {
    const e = found.get(id);
    if (!e) throw new MatrixError("M_BAD_STATE", `state event ${id} is not known here`);
    if (e.roomNid !== room.roomNid || e.stateKeyNid === null) throw new MatrixError("M_BAD_STATE", `${id} is not a state event of ${room.roomId}`);
    if (!e.rejected) entries.push({ typeNid: e.typeNid, stateKeyNid: e.stateKeyNid, eventNid: e.nid });
  }
  return { snapshotNid: undefined, entries: normaliseEntries(entries) };
}

function reject(
  ctx: RoomserverContext,
  input: InputRoomEvent,
  ev: ParsedEvent,
  room: RoomInfo,
  stateBefore: Parameters<typeof commitEvent>[1]["stateBefore"],
  outcome: Extract<AuthOutcome, { allowed: false }>,
  outlierNid: number | undefined,
): Promise<InputResult> {
  ctx.logger.info({ event_id: ev.eventId, room_id: ev.roomId, rule: outcome.rule }, "rejected event");
  return commitEvent(ctx, { input, ev, room, stateBefore, status: "rejected", rule: outcome.rule, reason: outcome.reason, outlierNid });
}

/**
 * The event's prev events are exactly the room's forward extremities: the state before it is
 * the current state by definition, so the soft-fail check would repeat the one just passed.
 */
async function onTip(ctx: RoomserverContext, ev: ParsedEvent, room: RoomInfo): Promise<boolean> {
  if (ev.prevEventIds.length !== room.latestEventNids.length) return false;
  const prevs = await ctx.events.byIds(ev.prevEventIds);
  const latest = new Set(room.latestEventNids);
  return prevs.size === latest.size && [...prevs.values()].every((p) => latest.has(p.nid));
}
